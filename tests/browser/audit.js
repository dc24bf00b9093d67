// Runs in every page a browser test opens, after axe.min.js (tests/browser/accessibility.py).
// When the page has loaded: axe-core's WCAG 2.0 and 2.1 A and AA rules, then, on the pages
// residents, officers and observers use (everything but the admin site), what axe does not
// measure: reflow at 200% text, 44 px tap targets, 14 px text. The findings go to the test
// through window.__auditReport. A link or a form leaving the page waits for its audit.
(() => {
  if (window.top !== window || !location.protocol.startsWith("http")) return;
  const MIN_TARGET = 44;
  const MIN_TEXT = 14;
  const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
  const TAPPABLE = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]";
  let finished = false;
  let settle;
  window.__audit = new Promise((resolve) => { settle = resolve; });

  const describe = (element) => {
    const id = element.id ? `#${element.id}` : "";
    const classes = [...element.classList].slice(0, 2).map((name) => `.${name}`).join("");
    const text = (element.innerText || element.value || element.getAttribute("aria-label") || "")
      .trim().replace(/\s+/g, " ").slice(0, 30);
    return `${element.tagName.toLowerCase()}${id}${classes}${text ? ` 「${text}」` : ""}`;
  };
  const shown = (element) => {
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden"
      && !element.closest(".visually-hidden, .visually-hidden-focusable:not(:focus)");
  };
  // A link inside a sentence is exempt from the target size (WCAG 2.5.5 and 2.5.8).
  const inSentence = (element) => element.tagName === "A" && [...element.parentElement.childNodes]
    .some((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
  // A checkbox or a radio is tapped through its label too.
  const targetBox = (element) => {
    const box = element.getBoundingClientRect();
    const label = element.labels && element.labels[0];
    if (!label || !["checkbox", "radio"].includes(element.type)) return box;
    const around = label.getBoundingClientRect();
    return {
      width: Math.max(box.right, around.right) - Math.min(box.left, around.left),
      height: Math.max(box.bottom, around.bottom) - Math.min(box.top, around.top),
    };
  };

  function targets() {
    const small = [];
    let smallest = Infinity;
    for (const element of document.querySelectorAll(TAPPABLE)) {
      if (!shown(element) || inSentence(element)) continue;
      const box = targetBox(element);
      const side = Math.min(box.width, box.height);
      smallest = Math.min(smallest, side);
      if (side < MIN_TARGET - 0.5) {
        small.push(`${describe(element)} ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    return { small, smallest };
  }

  function textSizes() {
    const small = new Map();
    let smallest = Infinity;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!node.textContent.trim() || !element || !shown(element)) continue;
      let size = parseFloat(getComputedStyle(element).fontSize);
      if (element.closest("svg")) size *= element.getScreenCTM().d;  // as drawn on the screen
      smallest = Math.min(smallest, size);
      if (size < MIN_TEXT - 0.05) small.set(describe(element), Math.round(size * 10) / 10);
    }
    return { small: [...small].map(([what, size]) => `${what} ${size}px`), smallest };
  }

  // Form fields must stand out from what is around them (WCAG 1.4.11, 3:1): axe does not check.
  const rgb = (color) => (color.match(/[\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const [R, G, B] = [r, g, b].map((c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const backgroundOf = (element) => {
    for (let node = element.parentElement; node; node = node.parentElement) {
      const color = rgb(getComputedStyle(node).backgroundColor);
      if (color.length === 3 || (color.length === 4 && color[3] > 0.5)) return color.slice(0, 3);
    }
    return [255, 255, 255];
  };
  function fieldBorders() {
    const faint = [];
    for (const field of document.querySelectorAll("input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea")) {
      const style = getComputedStyle(field);
      // A box the browser draws itself has its own dark border; only restyled ones are measured.
      if (!shown(field) || (["checkbox", "radio"].includes(field.type) && style.appearance !== "none")) continue;
      const border = rgb(style.borderTopColor);
      const ratio = parseFloat(style.borderTopWidth) > 0 ? contrast(border.slice(0, 3), backgroundOf(field)) : 1;
      if (ratio < 3) faint.push(`${describe(field)} border ${ratio.toFixed(2)}:1`);
    }
    return faint;
  }

  // At 200% text nothing may stick out of the screen nor scroll sideways (WCAG 1.4.4, 1.4.10).
  function reflow() {
    const root = document.documentElement;
    const before = root.style.fontSize;
    root.style.fontSize = "200%";
    const faults = [];
    if (root.scrollWidth > innerWidth + 1) faults.push(`page ${root.scrollWidth}px wide`);
    for (const element of document.body.querySelectorAll("*")) {
      if (!shown(element)) continue;
      const style = getComputedStyle(element);
      if (["auto", "scroll"].includes(style.overflowX) && element.scrollWidth > element.clientWidth + 1) {
        faults.push(`${describe(element)} scrolls sideways (${element.scrollWidth}px in ${element.clientWidth}px)`);
      }
    }
    root.style.fontSize = before;
    return faults;
  }

  async function audit(label) {
    const results = await axe.run(document, {
      runOnly: { type: "tag", values: AXE_TAGS },
      resultTypes: ["violations"],
    });
    const findings = results.violations.map((violation) => ({
      rule: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.slice(0, 6).map((node) => node.target.join(" ")),
      count: violation.nodes.length,
    }));
    const report = { url: location.href, title: document.title, label, findings, resident: false };
    if (!location.pathname.includes("/admin/")) {
      const tap = targets();
      const text = textSizes();
      const wide = reflow();
      const faint = fieldBorders();
      if (faint.length) findings.push({ rule: "field-border-3", help: "form field borders under 3:1 (WCAG 1.4.11)", nodes: faint, count: faint.length });
      if (tap.small.length) findings.push({ rule: "target-size-44", help: "tap targets under 44×44 px", nodes: tap.small, count: tap.small.length });
      if (text.small.length) findings.push({ rule: "text-size-14", help: "text under 14 px", nodes: text.small, count: text.small.length });
      if (wide.length) findings.push({ rule: "reflow-200", help: "sideways scroll at 200% text, 390 px", nodes: wide, count: wide.length });
      Object.assign(report, { resident: true, smallestTarget: tap.smallest, smallestText: text.smallest });
    }
    await window.__auditReport(report);
  }

  window.__auditNow = () => audit("now");  // a page state reached without loading a page
  // One tick after load, so that the page's own load-time scripts (the admin's date
  // shortcuts and filter boxes) have finished building it.
  addEventListener("load", () => setTimeout(() => {
    audit("load")
      .catch((error) => window.__auditReport({ url: location.href, title: document.title, label: "load", findings: [{ rule: "audit-error", help: String(error), nodes: [], count: 1 }] }))
      .finally(() => { finished = true; settle(); });
  }));

  // Leaving the page by a link or a form waits until its audit has finished.
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[href]");
    if (finished || !link || link.target || link.hasAttribute("download") || event.defaultPrevented) return;
    event.preventDefault();
    window.__audit.then(() => link.click());
  }, true);
  document.addEventListener("submit", (event) => {
    if (finished) return;
    event.preventDefault();
    const form = event.target;
    const submitter = event.submitter;
    window.__audit.then(() => form.requestSubmit(submitter));
  }, true);
})();
