/*
 * ingest_plugin.h — the ingestd plugin contract, C ABI version 1.
 *
 * This header is the specification. The Rust crate `ingest-abi` mirrors it with
 * #[repr(C)] types; any language that can export C functions can implement it.
 *
 * A plugin is a shared library exporting one symbol:
 *
 *     const IngestPluginDescriptor *ingest_plugin_descriptor(void);
 *
 * The host calls it first, checks `magic`, `abi_major` and `struct_size`, and refuses
 * the library (naming the file) on any mismatch before calling anything else.
 *
 * Rules every plugin follows:
 *   - Only the types below cross the boundary. Documents and results are UTF-8 JSON,
 *     passed as pointer + length (never NUL-terminated).
 *   - Every buffer a plugin hands to the host (results, error messages) is released by
 *     the host calling that plugin's own `free_buffer`; the host never frees plugin memory
 *     itself, and the plugin never frees host memory.
 *   - No exception or panic crosses the boundary: report failure with a non-zero status
 *     and an error message.
 *   - `create` loads models and indexes once; `process` is called many times. If `flags`
 *     lacks INGEST_PLUGIN_THREAD_SAFE the host serialises calls to `process` per instance.
 *   - Processing must be idempotent per document id: the host may deliver the same
 *     document twice after a crash and the second answer must equal the first.
 *   - Libraries are never unloaded while the host runs.
 *
 * Versioning: a new minor version only appends fields to the end of a struct (readers
 * check `struct_size` before touching a newer field). Anything else bumps `abi_major`,
 * and a host refuses a plugin whose major differs from its own.
 */
#ifndef INGEST_PLUGIN_H
#define INGEST_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "INGD" read as a little-endian u32. */
#define INGEST_ABI_MAGIC 0x44474E49u
#define INGEST_ABI_MAJOR 1u
#define INGEST_ABI_MINOR 0u

/* Name of the one symbol a plugin exports. */
#define INGEST_PLUGIN_SYMBOL "ingest_plugin_descriptor"

/* Status codes returned by `create` and `process`. */
#define INGEST_OK 0
#define INGEST_ERROR 1     /* the input or the configuration was refused; see the message */
#define INGEST_PANIC 2     /* the plugin failed internally (a caught panic or exception) */
#define INGEST_CANCELLED 3 /* the host asked to stop this call (see is_cancelled) */

/* Descriptor flags. */
#define INGEST_PLUGIN_THREAD_SAFE 1u /* `process` may run on several threads at once */

/* Log levels for IngestHostApi.log. */
#define INGEST_LOG_ERROR 1u
#define INGEST_LOG_WARN 2u
#define INGEST_LOG_INFO 3u
#define INGEST_LOG_DEBUG 4u
#define INGEST_LOG_TRACE 5u

/* Borrowed UTF-8 bytes: valid for the duration of the call that passes them. */
typedef struct IngestStr {
    const uint8_t *ptr;
    size_t len;
} IngestStr;

/* Bytes owned by the plugin, handed to the host; released with the plugin's free_buffer.
 * `cap` is the plugin's own bookkeeping (e.g. allocation size) and is passed back
 * untouched. An empty buffer has ptr == NULL. */
typedef struct IngestBuffer {
    uint8_t *ptr;
    size_t len;
    size_t cap;
} IngestBuffer;

/* Opaque per-call handle the host passes to `process`; only meaningful to the host. */
typedef struct IngestCall IngestCall;

/* Functions the host lends to each plugin instance, so plugins never link against host
 * symbols (as SQLite lends its API routines to extensions). Valid until `destroy`. */
typedef struct IngestHostApi {
    uint32_t struct_size;
    /* Opaque host data; pass it back to `log`. */
    void *host_data;
    /* A folder private to this plugin instance where it may keep persistent state
     * (indexes, caches); it exists when `create` is called. */
    IngestStr state_dir;
    /* Writes one log line through the host's logger, attributed to this plugin. */
    void (*log)(void *host_data, uint32_t level, IngestStr message);
    /* Non-zero when the host wants the current `process` call to stop early (time limit
     * or shutdown). Long-running plugins poll it and return INGEST_CANCELLED. */
    int32_t (*is_cancelled)(const IngestCall *call);
} IngestHostApi;

/* The static description of a plugin, returned by ingest_plugin_descriptor(). */
typedef struct IngestPluginDescriptor {
    uint32_t magic;       /* INGEST_ABI_MAGIC */
    uint16_t abi_major;   /* INGEST_ABI_MAJOR the plugin was built against */
    uint16_t abi_minor;   /* INGEST_ABI_MINOR the plugin was built against */
    uint32_t struct_size; /* sizeof(IngestPluginDescriptor) as the plugin knows it */
    uint32_t flags;       /* INGEST_PLUGIN_* flags */
    IngestStr name;       /* e.g. "entities"; what `ingestd plugins` shows (results use the configured name) */
    IngestStr version;    /* the plugin's own version, e.g. "0.1.0" */

    /* Builds an instance from its configuration (a JSON object). On INGEST_OK sets
     * *instance; otherwise fills *error with a UTF-8 message. `host` outlives the instance. */
    int32_t (*create)(const IngestHostApi *host, IngestStr config_json, void **instance,
                      IngestBuffer *error);

    /* Analyses one document (JSON, see the Rust `Document` type). On INGEST_OK fills
     * *output with the result as a JSON value; otherwise with a UTF-8 error message. */
    int32_t (*process)(void *instance, const IngestCall *call, IngestStr document_json,
                       IngestBuffer *output);

    /* Releases an instance made by `create`. */
    void (*destroy)(void *instance);

    /* Releases a buffer this plugin filled. */
    void (*free_buffer)(IngestBuffer buffer);
} IngestPluginDescriptor;

/* The one exported symbol. */
typedef const IngestPluginDescriptor *(*IngestPluginDescriptorFn)(void);

#ifdef __cplusplus
}
#endif

#endif /* INGEST_PLUGIN_H */
