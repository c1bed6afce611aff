// The server's token travels with each request, never in a cookie: a browser sends a cookie of
// 127.0.0.1 to every port there, so another local program could read it. The token is in this
// page's address (`?token=...`); this script carries it on: into every link and form of this
// server, as the `Authorization` header of `fetch`, and (through Token.url) into the WebSocket's
// and the audio worklet's addresses. Another origin sees none of it (Referrer-Policy no-referrer).
var Token = (function () {
  "use strict";
  var token = new URLSearchParams(location.search).get("token") || "";

  function ours(url) { return url.origin === location.origin; }

  // `path` (same origin) with the token in its query.
  function url(path) {
    var u = new URL(path, location.href);
    if (ours(u) && token) u.searchParams.set("token", token);
    return u.pathname + u.search + u.hash;
  }

  function carryLink(a) {
    var href = a.getAttribute("href");
    if (!href || href.charAt(0) === "#") return;
    var u = new URL(href, location.href);
    if ((u.protocol === "http:" || u.protocol === "https:") && ours(u) && u.searchParams.get("token") !== token)
      a.setAttribute("href", url(href));
  }

  function carryForm(form) {
    if ((form.getAttribute("method") || "get").toLowerCase() !== "get" || form.querySelector("input[name=token]")) return;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "token";
    input.value = token;
    form.appendChild(input);
  }

  function carryAll(root) {
    if (root.nodeType !== 1) return;
    if (root.matches("a[href]")) carryLink(root);
    if (root.matches("form")) carryForm(root);
    root.querySelectorAll("a[href]").forEach(carryLink);
    root.querySelectorAll("form").forEach(carryForm);
  }

  if (token) {
    var fetchPlain = window.fetch.bind(window);
    window.fetch = function (resource, init) {
      var target = new URL(resource instanceof Request ? resource.url : resource, location.href);
      if (!ours(target)) return fetchPlain(resource, init);
      init = Object.assign({}, init);
      init.headers = new Headers(init.headers || (resource instanceof Request ? resource.headers : undefined));
      init.headers.set("Authorization", "token " + token);
      return fetchPlain(resource, init);
    };
    // Links made later (the interview's report link) and any missed: carried when added, and
    // again when followed.
    document.addEventListener("DOMContentLoaded", function () {
      carryAll(document.documentElement);
      new MutationObserver(function (changes) {
        changes.forEach(function (c) { c.addedNodes.forEach(carryAll); });
      }).observe(document.documentElement, {childList: true, subtree: true});
    });
    ["click", "auxclick", "contextmenu"].forEach(function (kind) {
      document.addEventListener(kind, function (e) {
        var a = e.target.closest && e.target.closest("a[href]");
        if (a) carryLink(a);
      }, true);
    });
    document.addEventListener("submit", function (e) { carryForm(e.target); }, true);
  }

  return {url: url};
})();
