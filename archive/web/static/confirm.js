// Ask before a destructive staff action (a button with data-confirm); without JavaScript
// the button works as a plain submit.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
