// Delete a session after confirmation; the server refuses one that is still being recorded.
(function () {
  "use strict";
  document.querySelectorAll("button.delete").forEach(function (button) {
    button.addEventListener("click", function () {
      var id = button.getAttribute("data-id");
      if (!window.confirm("Delete session " + id + " and its audio?")) return;
      fetch("/api/sessions/" + encodeURIComponent(id), {method: "DELETE"})
        .then(function (r) { return r.json().then(function (body) { return [r.ok, body]; }); })
        .then(function (res) {
          if (res[0]) button.closest("tr").remove();
          else window.alert(res[1].error || "Not deleted.");
        });
    });
  });
})();
