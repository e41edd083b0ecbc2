/* Kartenvorschau: flip cards as in Anki, filter, search, night mode. Runs from file:// with
   no network access; the filter state lives in the URL fragment so a reload (watch mode)
   keeps it. */
(function () {
  "use strict";

  var body = document.body;
  var cards = Array.prototype.slice.call(document.querySelectorAll(".pv-card"));
  var truths = Array.prototype.slice.call(document.querySelectorAll(".pv-truth"));
  var truthSelect = document.getElementById("pv-truth");
  var kindSelect = document.getElementById("pv-kind");
  var search = document.getElementById("pv-search");
  var status = document.getElementById("pv-status");
  var empty = document.getElementById("pv-empty");
  var revealAll = document.getElementById("pv-reveal-all");
  var night = document.getElementById("pv-night");
  var printButton = document.getElementById("pv-print");

  function normalise(text) {
    return text.normalize("NFC").toLocaleLowerCase("de").replace(/\s+/g, " ");
  }

  // Both faces and the card's key and file: a trainer searches for what a learner sees or
  // for the place to fix it.
  var haystacks = new Map();
  cards.forEach(function (card) { haystacks.set(card, normalise(card.textContent)); });

  function flip(card, revealed) {
    var shown = revealed === undefined ? !card.classList.contains("is-revealed") : revealed;
    card.classList.toggle("is-revealed", shown);
    card.querySelector(".pv-front").hidden = shown;
    card.querySelector(".pv-back").hidden = !shown;
    var button = card.querySelector(".pv-flip");
    button.setAttribute("aria-expanded", String(shown));
    button.textContent = shown ? "Frage zeigen" : "Antwort zeigen";
  }

  function matches(card, truth, kind, terms) {
    if (truth && card.dataset.truth !== truth) { return false; }
    if (kind && card.dataset.kind !== kind) { return false; }
    var haystack = haystacks.get(card);
    return terms.every(function (term) { return haystack.indexOf(term) !== -1; });
  }

  function apply() {
    var terms = normalise(search.value).split(" ").filter(Boolean);
    var shown = 0;
    cards.forEach(function (card) {
      var visible = matches(card, truthSelect.value, kindSelect.value, terms);
      card.hidden = !visible;
      shown += visible ? 1 : 0;
    });
    truths.forEach(function (section) {
      section.hidden = !section.querySelector(".pv-card:not([hidden])");
    });
    status.textContent = shown === cards.length
      ? cards.length + " Karten"
      : shown + " von " + cards.length + " Karten";
    empty.hidden = shown !== 0;
    remember();
  }

  function remember() {
    var params = new URLSearchParams();
    if (truthSelect.value) { params.set("wahrheit", truthSelect.value); }
    if (kindSelect.value) { params.set("art", kindSelect.value); }
    if (search.value.trim()) { params.set("suche", search.value.trim()); }
    var fragment = params.toString();
    if (fragment === location.hash.slice(1)) { return; }
    try {
      history.replaceState(null, "", fragment ? "#" + fragment : location.href.split("#")[0]);
    } catch (refused) {
      // Some browsers refuse history changes for file:// pages; filtering works without it.
    }
  }

  function choose(select, value) {
    if (value && select.querySelector("option[value='" + CSS.escape(value) + "']")) {
      select.value = value;
    }
  }

  function restore() {
    var params = new URLSearchParams(location.hash.slice(1));
    choose(truthSelect, params.get("wahrheit"));
    choose(kindSelect, params.get("art"));
    search.value = params.get("suche") || "";
  }

  function stored(key) {
    try { return localStorage.getItem(key); } catch (refused) { return null; }
  }

  function setNight(on, save) {
    body.classList.toggle("nightMode", on);
    night.setAttribute("aria-pressed", String(on));
    if (save) {
      try { localStorage.setItem("pv-night", on ? "1" : "0"); } catch (refused) { /* not kept */ }
    }
  }

  function step(card, direction) {
    var visible = cards.filter(function (c) { return !c.hidden; });
    var next = visible[visible.indexOf(card) + direction] || (card ? null : visible[0]);
    if (next) { next.focus(); }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element) || target.closest("a")) { return; }
    var card = target.closest(".pv-card");
    if (!card || String(window.getSelection())) { return; }
    if (target.closest(".pv-flip") || target.closest(".pv-frame")) { flip(card); }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (target instanceof Element && target.matches("input, select, textarea, button, a")) { return; }
    var card = target instanceof Element ? target.closest(".pv-card") : null;
    if (card && (event.key === " " || event.key === "Enter")) {
      event.preventDefault();
      flip(card);
    } else if (event.key === "j" || event.key === "k") {
      step(card, event.key === "j" ? 1 : -1);
    }
  });

  [truthSelect, kindSelect].forEach(function (select) { select.addEventListener("change", apply); });
  search.addEventListener("input", apply);
  revealAll.addEventListener("click", function () {
    var on = revealAll.getAttribute("aria-pressed") !== "true";
    revealAll.setAttribute("aria-pressed", String(on));
    revealAll.textContent = on ? "Alle Antworten verbergen" : "Alle Antworten zeigen";
    cards.forEach(function (card) { flip(card, on); });
  });
  night.addEventListener("click", function () {
    setNight(!body.classList.contains("nightMode"), true);
  });
  printButton.addEventListener("click", function () { window.print(); });

  var nightStored = stored("pv-night");
  setNight(nightStored === null
    ? window.matchMedia("(prefers-color-scheme: dark)").matches
    : nightStored === "1", false);
  restore();
  apply();
}());
