// Node-RED settings of the "node-red" row of tests/bench/run-e2e: no editor,
// no HTTP nodes, no persistent context, logging at warn. The flow
// (flows.json) reads the broker's port from MQTT_PORT. The function node
// reaches the peers' shared rules and routing (../node-peer/rules.js: the
// same json-rules-engine rules and lookup tables as the "peer" row) through
// the global context, built once here from AMPARO_DIRECTORY.
'use strict';
const path = require('path');
const { makePeer } = require(path.join(__dirname, '..', 'node-peer', 'rules.js'));

module.exports = {
  uiHost: '127.0.0.1',
  uiPort: Number(process.env.NODE_RED_PORT || 0),
  httpAdminRoot: false,
  httpNodeRoot: false,
  disableEditor: true,
  credentialSecret: false,
  functionGlobalContext: {
    amparoPeer: makePeer(process.env.AMPARO_DIRECTORY),
  },
  logging: { console: { level: 'warn', metrics: false, audit: false } },
  editorTheme: { tours: false },
  telemetry: { enabled: false },
  diagnostics: { enabled: false },
};
