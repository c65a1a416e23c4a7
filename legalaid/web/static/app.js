// legalaid serve: the only script. Shows that a long run (dispatch, brief) is under way.
document.addEventListener("submit", function (event) {
  var button = event.target.querySelector("button.primary");
  if (button) {
    button.textContent = "正在计算，请稍候…";
    event.target.classList.add("busy");
  }
});
