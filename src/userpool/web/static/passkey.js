// The hosted UI's passkey step: the form's button asks the browser's authenticator for an assertion over the
// server's options (base64url members made ArrayBuffers), puts it in the form as JSON (ArrayBuffers made base64url)
// and posts the form. Served from the UI's own origin: the page's CSP allows scripts from 'self' only.
(function () {
  const form = document.getElementById("passkey-form");
  const holder = document.getElementById("passkey-options");
  if (!form || !holder) return;
  const toBuffer = (text) =>
    Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)).buffer;
  const toText = (buffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  form.addEventListener("submit", async (event) => {
    if (form.elements.credential.value) return;
    event.preventDefault();
    const options = JSON.parse(holder.dataset.options);
    try {
      const got = await navigator.credentials.get({
        publicKey: {
          ...options,
          challenge: toBuffer(options.challenge),
          allowCredentials: (options.allowCredentials || []).map((c) => ({ ...c, id: toBuffer(c.id) })),
        },
      });
      form.elements.credential.value = JSON.stringify({
        id: got.id,
        rawId: toText(got.rawId),
        type: got.type,
        response: {
          clientDataJSON: toText(got.response.clientDataJSON),
          authenticatorData: toText(got.response.authenticatorData),
          signature: toText(got.response.signature),
          userHandle: got.response.userHandle && toText(got.response.userHandle),
        },
        authenticatorAttachment: got.authenticatorAttachment,
        clientExtensionResults: got.getClientExtensionResults(),
      });
    } catch (error) {
      form.elements.credential.value = "";
    }
    HTMLFormElement.prototype.submit.call(form); // the form's button is named "submit", shadowing form.submit
  });
})();
