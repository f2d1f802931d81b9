// Agrilocal — the producer's space. Progressive: the pages work without this script; with it, a page whose
// invoices move (Chorus statuses) reloads by itself, unless the producer is filling in a form.
(function () {
  'use strict';
  var box = document.querySelector('[data-poll]');
  if (!box || !window.fetch) return;
  var url = box.getAttribute('data-poll');
  var version = box.getAttribute('data-version');
  var typing = false;
  document.addEventListener('input', function () { typing = true; });
  document.addEventListener('submit', function () { typing = true; });
  var delay = 3000;
  function check() {
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (body) {
        if (body && body.version && body.version !== version) {
          if (!typing) { window.location.reload(); return; }
          var live = box.querySelector('.live');
          if (live) live.textContent = 'Le statut a changé : enregistrez votre saisie puis rechargez la page pour le voir.';
          return;
        }
        window.setTimeout(check, delay);
      })
      .catch(function () { delay = Math.min(delay * 2, 60000); window.setTimeout(check, delay); });
  }
  window.setTimeout(check, delay);
})();
