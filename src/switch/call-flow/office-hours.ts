// The call-flow model is provisioning data: it lives in src/config/call-flow/ (the config loader and the
// store validate and keep flows, and config/ and store/ may not import switch/: scripts/layers.mjs). This
// module keeps the switch's own path to it.
export * from '../../config/call-flow/office-hours.js';
