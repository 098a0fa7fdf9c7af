// Passkeys (WebAuthn): the browser's part of the ceremony, and nothing else.
// Without this script, or in a browser without WebAuthn, the passkey form stays hidden and
// the page says so; every other way in (codes, recovery codes) works without JavaScript.
(function () {
  "use strict";

  var optionsElement = document.getElementById("passkey-options");
  var form = document.querySelector("form[data-passkey]");
  if (!optionsElement || !form) {
    return;
  }
  if (!window.PublicKeyCredential || !navigator.credentials) {
    return; // the "not available here" notice stays
  }
  var notice = document.querySelector("[data-passkey-unavailable]");
  var status = document.querySelector("[data-passkey-status]");
  var ceremony = form.getAttribute("data-passkey"); // "create" or "get"
  var options = JSON.parse(optionsElement.textContent);

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return Object.assign({}, item, { id: toBytes(item.id) });
    });
  }

  function publicKeyOptions() {
    var copy = Object.assign({}, options, { challenge: toBytes(options.challenge) });
    if (ceremony === "create") {
      copy.user = Object.assign({}, options.user, { id: toBytes(options.user.id) });
      copy.excludeCredentials = descriptors(options.excludeCredentials);
    } else {
      copy.allowCredentials = descriptors(options.allowCredentials);
    }
    return copy;
  }

  function asJSON(credential) {
    if (typeof credential.toJSON === "function") {
      return credential.toJSON();
    }
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      response: { clientDataJSON: toText(response.clientDataJSON) },
    };
    if (ceremony === "create") {
      json.response.attestationObject = toText(response.attestationObject);
      if (typeof response.getTransports === "function") {
        json.response.transports = response.getTransports();
      }
    } else {
      json.response.authenticatorData = toText(response.authenticatorData);
      json.response.signature = toText(response.signature);
      if (response.userHandle) {
        json.response.userHandle = toText(response.userHandle);
      }
    }
    return json;
  }

  function say(key) {
    if (status) {
      status.textContent = status.getAttribute(key) || "";
    }
  }

  form.hidden = false;
  if (notice) {
    notice.hidden = true;
  }
  var busy = false;
  form.addEventListener("submit", function (event) {
    if (form.dataset.answered === "1") {
      return; // the browser's answer is in: let the form go
    }
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    say("data-msg-working");
    var call =
      ceremony === "create"
        ? navigator.credentials.create({ publicKey: publicKeyOptions() })
        : navigator.credentials.get({ publicKey: publicKeyOptions() });
    call
      .then(function (credential) {
        form.querySelector('[name="credential"]').value = JSON.stringify(asJSON(credential));
        form.dataset.answered = "1";
        form.submit();
      })
      .catch(function () {
        busy = false;
        say("data-msg-cancelled");
      });
  });
})();
