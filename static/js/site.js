// Behaviour every page shares; each part does nothing where its markup is absent.
// The CSP allows no inline script, so pages carry data-* attributes and this file acts on them.
(function () {
  "use strict";

  // Tab bars that are wider than the screen scroll sideways. CSS shades the edge that hides tabs
  // (static/css/site.css, "scroll shadows"); here each such edge also gets an arrow button, and the
  // open tab is brought into view so that a phone never opens on a tab it cannot see.
  function setUpScroller(scroller) {
    var strip = scroller.querySelector(".nav");
    if (!strip) {
      return;
    }
    function arrow(direction, label) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "tab-scroller-arrow tab-scroller-" + direction;
      button.setAttribute("aria-label", label || "");
      // The tabs are links a keyboard reaches anyway; the arrows are for pointers and fingers.
      button.tabIndex = -1;
      button.innerHTML = '<i class="bi bi-chevron-' + (direction === "start" ? "left" : "right") + '" aria-hidden="true"></i>';
      button.addEventListener("click", function () {
        var step = Math.max(strip.clientWidth * 0.75, 80);
        strip.scrollBy({ left: direction === "start" ? -step : step, behavior: "smooth" });
      });
      scroller.appendChild(button);
      return button;
    }
    arrow("start", scroller.dataset.labelStart);
    arrow("end", scroller.dataset.labelEnd);
    function update() {
      var hidden = strip.scrollWidth - strip.clientWidth;
      // A pixel of slack: browsers report fractional scroll positions on zoomed pages.
      scroller.classList.toggle("can-scroll-start", strip.scrollLeft > 1);
      scroller.classList.toggle("can-scroll-end", strip.scrollLeft < hidden - 1);
    }
    var active = strip.querySelector(".nav-link.active");
    if (active) {
      var overhang = active.offsetLeft + active.offsetWidth - strip.clientWidth;
      if (overhang > 0) {
        // Leave room for the arrow over the end, so the open tab is not half under it.
        strip.scrollLeft = overhang + 40;
      }
    }
    strip.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update);
    update();
  }
  document.querySelectorAll("[data-tab-scroller]").forEach(setUpScroller);

  // A transition's form unfolds below the row of buttons; its first field takes the focus.
  document.querySelectorAll(".transition-form.collapse").forEach(function (panel) {
    panel.addEventListener("shown.bs.collapse", function () {
      var field = panel.querySelector("textarea, input:not([type=hidden]), select");
      if (field) {
        field.focus({ preventScroll: true });
      }
    });
  });
  // The printable case summary's button (templates/cases/print.html).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
