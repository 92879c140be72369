/*
 * ingest_plugin.h — the ingestd plugin contract, C ABI version 1.1.
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
 *   - Durability (ABI 1.1): whatever `process` records (an index entry, a log record) must
 *     be durable before the host commits that document's result. A plugin either makes it
 *     durable inside `process` (the only choice in ABI 1.0), or defers it to `flush`, which
 *     a 1.1 host calls once for a whole batch of documents before committing their results
 *     (group commit: one disk sync for many documents). A plugin that defers must check
 *     that the host calls `flush` (INGEST_HOST_CALLS_FLUSH in IngestHostApi.flags, present
 *     only when the table's struct_size covers `flags`); an older host never calls it, so
 *     the plugin must then make its state durable inside `process` (the Rust SDK does this
 *     for its plugins by calling their `flush` after each `process`).
 *   - Libraries are never unloaded while the host runs.
 *
 * Versioning: a new minor version only appends fields to the end of a struct (readers
 * check `struct_size` before touching a newer field). Anything else bumps `abi_major`,
 * and a host refuses a plugin whose major differs from its own. A host loads plugins of
 * any minor version of its major: of a newer plugin it uses the fields it knows, of an
 * older one only those the plugin's `struct_size` covers. Appended fields are therefore
 * optional on both sides: each side finds out what the other offers from `struct_size`
 * (and, for the host table, `flags`) and keeps working without it.
 *
 * History: 1.0 — the first version. 1.1 — IngestPluginDescriptor.flush and
 * IngestHostApi.flags (INGEST_HOST_CALLS_FLUSH) appended.
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
#define INGEST_ABI_MINOR 1u

/* Name of the one symbol a plugin exports. */
#define INGEST_PLUGIN_SYMBOL "ingest_plugin_descriptor"

/* Status codes returned by `create`, `process` and `flush`. */
#define INGEST_OK 0
#define INGEST_ERROR 1     /* the input or the configuration was refused; see the message */
#define INGEST_PANIC 2     /* the plugin failed internally (a caught panic or exception) */
#define INGEST_CANCELLED 3 /* the host asked to stop this call (see is_cancelled) */

/* Descriptor flags. */
#define INGEST_PLUGIN_THREAD_SAFE 1u /* `process` may run on several threads at once */
/* `process` never reads the document's `plugins` (the results of the plugins before it): the
 * host may send `"plugins":{}` and spare it parsing them. A host that does not know the flag
 * ignores it and sends them anyway, so the flag needs no version of its own. */
#define INGEST_PLUGIN_NO_PRIOR_RESULTS 2u

/* IngestHostApi.flags (ABI 1.1). */
#define INGEST_HOST_CALLS_FLUSH 1u /* the host calls `flush` before it commits results */

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

    /* ABI 1.1; read it only when struct_size covers it (a 1.0 host's table ends above).
     * INGEST_HOST_* bits: what this host does. */
    uint32_t flags;
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

    /* ---- ABI 1.1; the host reads it only when struct_size covers it. ---- */

    /* Makes durable everything this instance recorded for the documents whose `process`
     * calls have returned (group commit). May be NULL: nothing to make durable (every
     * `process` call leaves its state durable itself, as ABI 1.0 requires).
     *
     * The host calls it before it commits the results of those documents, once for a whole
     * batch, from one thread at a time. On INGEST_OK the effects of every `process` call
     * that returned before this call began must survive a crash of the process (and of the
     * machine, as far as the plugin's store promises). Otherwise it fills *error with a
     * UTF-8 message; the host then commits none of the batch's results, keeps their inputs,
     * and calls `flush` again later (with a back-off) before it commits them. A plugin must
     * not answer INGEST_OK after a failed sync until the data is written again (the kernel
     * may have dropped the pages a failed fsync covered). Status codes as for `process`.
     *
     * Threads: for a plugin flagged INGEST_PLUGIN_THREAD_SAFE, `flush` may run while other
     * threads are inside `process` on the same instance; it must then cover every `process`
     * call that returned before it began, and may or may not cover those still running
     * (the host flushes again before committing theirs). For other plugins the host never
     * runs `flush` and `process` of one instance at the same time. */
    int32_t (*flush)(void *instance, IngestBuffer *error);
} IngestPluginDescriptor;

/* The one exported symbol. */
typedef const IngestPluginDescriptor *(*IngestPluginDescriptorFn)(void);

#ifdef __cplusplus
}
#endif

#endif /* INGEST_PLUGIN_H */
