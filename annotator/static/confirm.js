// A form marked data-confirm asks before it is sent: removing a member, disabling an account,
// revoking a token cannot be undone by a click.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
