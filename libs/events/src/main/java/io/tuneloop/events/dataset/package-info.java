/**
 * The formats of dataset versions in the object store, shared by the formatter (which writes them),
 * the trainer and the eval service (which read them): the manifest, the spec it was built with, and
 * the examples of its JSON Lines shards.
 */
package io.tuneloop.events.dataset;
