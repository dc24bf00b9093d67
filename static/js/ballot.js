// The voter's ballot (templates/voting/ballot.html): as boxes are ticked, the polite live region
// #ballot-count says how many are ticked and how many may be, or that there are too many.
// The server drew its first words and still refuses too many ticks when the ballot is submitted.
(() => {
  const region = document.getElementById("ballot-count");
  if (!region) return;
  const form = region.closest("form");
  const most = Number(region.dataset.max);
  const boxes = () => form.querySelectorAll('input[type="checkbox"][name="items"]');
  const fill = (message, values) =>
    message.replace(/%\((\w+)\)d/g, (placeholder, name) => String(values[name]));

  function say() {
    const count = [...boxes()].filter((box) => box.checked).length;
    const tooMany = count > most;
    const text = fill(tooMany ? region.dataset.tooMany : region.dataset.ticked,
      { count, max: most, extra: count - most });
    region.classList.toggle("text-danger", tooMany);
    // Only a change is written: the same words again would be read out again.
    if (region.textContent !== text) region.textContent = text;
  }

  form.addEventListener("change", (event) => {
    if (event.target.name === "items") say();
  });
  // The browser may bring back ticks on going back to the page: count what it shows.
  addEventListener("pageshow", say);
})();
