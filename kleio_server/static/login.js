// Local mode: trade the access key (in the URL fragment, never sent to the server as part of
// the URL) for an HttpOnly session cookie, then drop it from the address bar and history.
(function () {
  const status = document.getElementById("status");
  const form = document.getElementById("manual");

  async function signIn(key) {
    status.textContent = "Signing in…";
    const response = await fetch("/api/v1/auth/local/session", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ key: key }),
      credentials: "same-origin",
    });
    if (response.ok) {
      const session = await response.json();
      sessionStorage.setItem("kleio.csrf", session.csrf_token);
      status.textContent = "Signed in. This browser now has a session for this Kleio server.";
      form.hidden = true;
      return;
    }
    let detail = "the key was not accepted";
    try { detail = (await response.json()).detail || detail; } catch (_) { /* not JSON */ }
    status.textContent = "Could not sign in: " + detail + ".";
    form.hidden = false;
  }

  const params = new URLSearchParams(window.location.hash.slice(1));
  const key = params.get("key");
  history.replaceState(null, "", window.location.pathname);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    signIn(document.getElementById("key").value).catch(function () {
      status.textContent = "Could not reach the server.";
    });
  });
  if (key) {
    signIn(key).catch(function () { status.textContent = "Could not reach the server."; });
  } else {
    status.textContent = "Enter the access key to sign in.";
    form.hidden = false;
  }
})();
