// livechat's boot script. The page loads it before the first paint, long
// before the app (web/app.wasm) runs, and it does only this:
//
// - A browser that has joined before gets html.returning: the page then
//   shows "Connecting…" where the join form would be, since the app will
//   rejoin by itself.
// - What is typed into the pre-rendered join form, and a click on Join,
//   are kept in window.livechatEarly for the app to carry over when it
//   starts (it sets window.livechatLive and handles the form from then on).
(function () {
  "use strict";
  try {
    var id = JSON.parse(localStorage.getItem("livechat.identity") || "null");
    if (id && id.nickname) {
      document.documentElement.classList.add("returning");
    }
  } catch (e) {
    // No storage (private mode, blocked): a first visit.
  }
  var early = (window.livechatEarly = { nickname: "", submitted: false });
  document.addEventListener("input", function (e) {
    if (!window.livechatLive && e.target && e.target.id === "nickname") {
      early.nickname = e.target.value;
    }
  }, true);
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (window.livechatLive || !form.classList || !form.classList.contains("join-card")) {
      return;
    }
    e.preventDefault();
    early.nickname = form.elements.nickname.value;
    early.submitted = true;
    var button = form.querySelector('button[type="submit"]');
    if (button) {
      button.textContent = "Joining…";
      button.setAttribute("aria-disabled", "true");
    }
  }, true);
})();
