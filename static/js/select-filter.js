// A type-to-filter box above each long <select data-filterable>: the clerk types part of a city
// name and the list keeps only the matching options. Without JavaScript the plain select works.
(function () {
  "use strict";
  document.querySelectorAll("select[data-filterable]").forEach(function (select) {
    var options = Array.prototype.slice.call(select.options);
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1 select-filter";
    box.placeholder = select.dataset.filterPlaceholder || "";
    box.setAttribute("aria-label", box.placeholder);
    box.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var needle = box.value.trim().toLowerCase();
      var first = null;
      options.forEach(function (option) {
        var match = !needle || !option.value || option.text.toLowerCase().indexOf(needle) !== -1;
        option.hidden = !match;
        option.disabled = !match && option.value !== "";
        if (match && option.value && first === null) {
          first = option;
        }
      });
      // Pick the first match so that typing a unique city name is enough.
      if (needle && first && (!select.value || select.options[select.selectedIndex].hidden)) {
        select.value = first.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  });
})();
