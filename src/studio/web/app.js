// Shows the server's state; the full page replaces this file.
"use strict";
fetch("/api/state")
  .then((r) => r.json())
  .then((s) => {
    document.getElementById("state").textContent =
      "root " + s.root + (s.loaded ? ", loaded " + s.loaded.title : ", nothing loaded");
  });
