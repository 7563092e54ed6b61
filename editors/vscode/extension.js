// Starts `proviso lsp` for *.proviso files (docs/tooling.md).
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("proviso").get("path") || "proviso";
  const server = { command, args: ["lsp"] };
  client = new LanguageClient(
    "proviso",
    "Proviso",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "proviso" }] }
  );
  client.start();
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
