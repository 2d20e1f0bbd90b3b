// On a phone the tab strip scrolls sideways: bring the open tab into view.
(function () {
  "use strict";
  var active = document.querySelector(".worklist-tabs .nav-link.active");
  if (active) {
    active.scrollIntoView({ block: "nearest", inline: "nearest" });
  }
})();
