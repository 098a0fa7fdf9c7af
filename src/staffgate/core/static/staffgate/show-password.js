/* staffgate: a "Show password" button after each password box of a form that asks for it.
   Progressive enhancement only: without this file every page works the same. Loaded as a
   file of the portal's own (the Content Security Policy allows no inline script). */
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-show-password]");
  Array.prototype.forEach.call(forms, function (form) {
    var showText = form.getAttribute("data-show-password");
    var hideText = form.getAttribute("data-hide-password");
    var boxes = form.querySelectorAll('input[type="password"]');
    Array.prototype.forEach.call(boxes, function (box) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "show-password";
      button.setAttribute("aria-controls", box.id);
      button.textContent = showText;
      button.addEventListener("click", function () {
        var shown = box.type === "text";
        box.type = shown ? "password" : "text";
        button.textContent = shown ? showText : hideText;
      });
      // Passwords are never left readable when the form is sent.
      form.addEventListener("submit", function () {
        box.type = "password";
      });
      var wrapper = document.createElement("div");
      wrapper.className = "password-box";
      box.parentNode.insertBefore(wrapper, box);
      wrapper.appendChild(box);
      wrapper.appendChild(button);
    });
  });
})();
