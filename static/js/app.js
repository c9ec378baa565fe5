// Small progressive enhancements; every page works without them.
document.addEventListener("click", (event) => {
  const add = event.target.closest("[data-add-line-item]");
  if (add) {
    const total = document.querySelector("#id_items-TOTAL_FORMS");
    const index = Number.parseInt(total.value, 10) || 0;  // a number, never a form's text, goes into the HTML
    const html = document.querySelector("#line-item-template").innerHTML.replaceAll("__prefix__", String(index));
    document.querySelector("#line-items").insertAdjacentHTML("beforeend", html);
    total.value = index + 1;
    document.querySelector("#line-items [data-line-item]:last-child input")?.focus();
  }
  const remove = event.target.closest("[data-remove-line-item]");
  if (remove) {
    const row = remove.closest("[data-line-item]");
    const deleted = row.querySelector("input[name$='-DELETE']");
    if (deleted) { deleted.checked = true; row.hidden = true; } else { row.remove(); }
  }
});

document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-select-all]");
  if (all) {
    document.querySelectorAll(`input[name="${all.dataset.selectAll}"]`).forEach((box) => { box.checked = all.checked; });
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.matches(".save-view")) {  // the filters as they are now, after any in-place update
    form.querySelector('input[name="query"]').value = window.location.search.slice(1);
  }
  if (form.matches("[data-confirm-decision]")) {
    const count = form.querySelectorAll('input[name="cases"]:checked').length;
    const outcome = form.querySelector('input[name="outcome"]:checked');
    if (count && outcome && !window.confirm(`${outcome.parentElement.textContent.trim()}: ${count} case${count === 1 ? "" : "s"}. Apply?`)) {
      event.preventDefault();
    }
  } else if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// After a failed submit the page opens on its error summary: focus it so that it is read out first, and
// let each of its links put the cursor in the field it names (a plain #anchor only scrolls).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelector("[data-error-summary]")?.focus();
});
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-error-summary] a[href^='#']");
  const field = link && document.getElementById(link.getAttribute("href").slice(1));
  if (field) {
    event.preventDefault();
    field.focus();
  }
});
