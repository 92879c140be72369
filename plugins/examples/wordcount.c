/*
 * wordcount.c — an ingestd plugin in plain C99 (libc only), implementing
 * include/ingest_plugin.h. It proves the ABI is language-neutral: nothing here knows
 * about Rust.
 *
 * What it does: counts whitespace-separated words in the document's "text" field and
 * returns {"words": N}. The configuration is ignored. `process` keeps no state, so the
 * plugin is thread-safe.
 *
 * JSON handling, on purpose minimal: the document is the host's JSON object (see the Rust
 * `Document` type). We scan the top-level object for the key "text" and walk its string
 * value, decoding escapes: \uXXXX escapes are decoded only far enough to classify
 * whitespace (U+0009..U+000D, U+0020 and the Unicode spaces), everything else counts as a
 * word character. Nested objects and arrays are skipped by bracket matching that respects
 * strings. This is not a general JSON parser; a real plugin would use one.
 *
 * Durability: the plugin records nothing, so it has nothing for the host to make durable
 * and leaves the ABI 1.1 `flush` NULL.
 *
 * Build:
 *   cc -shared -fPIC -O2 -I crates/ingest-abi/include -o libwordcount.so \
 *      plugins/examples/wordcount.c
 *
 * With -DWORDCOUNT_ABI_1_0 it builds as a plugin of ABI 1.0 (minor 0, a descriptor that ends
 * before `flush`): the end-to-end tests load it so to check that a 1.1 host still loads 1.0
 * plugins and never reads past their descriptor.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_plugin.h"

#define PLUGIN_NAME "wordcount"
#define PLUGIN_VERSION "1.0.0"

/* The instance holds nothing; we still allocate one so `create`/`destroy` pair up. */
typedef struct Instance {
    int unused;
} Instance;

/* Hands `len` bytes of `src` to the host as a malloc'd buffer (freed by free_buffer). */
static void fill_buffer(IngestBuffer *out, const char *src, size_t len) {
    if (out == NULL) {
        return;
    }
    out->ptr = NULL;
    out->len = 0;
    out->cap = 0;
    if (len == 0) {
        return;
    }
    uint8_t *p = malloc(len);
    if (p == NULL) {
        return; /* out of memory: an empty message is the best we can do */
    }
    memcpy(p, src, len);
    out->ptr = p;
    out->len = len;
    out->cap = len;
}

static int32_t fail(IngestBuffer *out, const char *message) {
    fill_buffer(out, message, strlen(message));
    return INGEST_ERROR;
}

/* A cursor over the borrowed document bytes. */
typedef struct Cursor {
    const uint8_t *p;
    const uint8_t *end;
} Cursor;

static void skip_ws(Cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) {
        c->p++;
    }
}

static int hex_value(uint8_t ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Whether a code point is whitespace for word splitting (Unicode White_Space). */
static int is_space_cp(uint32_t cp) {
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 ||
           cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/* Decodes one UTF-8 sequence at c->p (advancing past it); invalid bytes yield U+FFFD. */
static uint32_t next_utf8(Cursor *c) {
    uint8_t b = *c->p++;
    if (b < 0x80) return b;
    int extra = (b >= 0xF0) ? 3 : (b >= 0xE0) ? 2 : (b >= 0xC0) ? 1 : 0;
    uint32_t cp = (extra == 3) ? (b & 0x07u) : (extra == 2) ? (b & 0x0Fu) : (b & 0x1Fu);
    if (extra == 0) return 0xFFFD;
    for (int i = 0; i < extra; i++) {
        if (c->p >= c->end || (*c->p & 0xC0) != 0x80) return 0xFFFD;
        cp = (cp << 6) | (*c->p++ & 0x3Fu);
    }
    return cp;
}

/*
 * Walks a JSON string starting at the opening quote. If `words` is not NULL, counts the
 * whitespace-separated words of its decoded value. If `key` is not NULL, reports whether
 * the raw content equals `key` (keys we look for contain no escapes). Returns 0 on
 * success (c->p just past the closing quote), -1 on malformed input.
 */
static int walk_string(Cursor *c, size_t *words, const char *key, int *key_match) {
    if (c->p >= c->end || *c->p != '"') return -1;
    c->p++;
    const uint8_t *start = c->p;
    int in_word = 0;
    for (;;) {
        if (c->p >= c->end) return -1;
        uint8_t b = *c->p;
        uint32_t cp;
        if (b == '"') {
            if (key != NULL && key_match != NULL) {
                size_t n = (size_t)(c->p - start);
                *key_match = (n == strlen(key) && memcmp(start, key, n) == 0);
            }
            c->p++;
            return 0;
        } else if (b == '\\') {
            if (c->end - c->p < 2) return -1;
            uint8_t e = c->p[1];
            c->p += 2;
            switch (e) {
            case '"': case '\\': case '/': cp = e; break;
            case 'b': cp = 0x08; break;
            case 'f': cp = 0x0C; break;
            case 'n': cp = 0x0A; break;
            case 'r': cp = 0x0D; break;
            case 't': cp = 0x09; break;
            case 'u': {
                if (c->end - c->p < 4) return -1;
                cp = 0;
                for (int i = 0; i < 4; i++) {
                    int h = hex_value(c->p[i]);
                    if (h < 0) return -1;
                    cp = (cp << 4) | (uint32_t)h;
                }
                c->p += 4;
                /* A surrogate (half of a pair) is never whitespace; no need to combine. */
                break;
            }
            default: return -1;
            }
        } else if (b < 0x20) {
            return -1; /* raw control characters are not allowed in JSON strings */
        } else {
            cp = next_utf8(c);
        }
        if (words != NULL) {
            if (is_space_cp(cp)) {
                in_word = 0;
            } else if (!in_word) {
                in_word = 1;
                (*words)++;
            }
        }
    }
}

/* Skips one JSON value of any kind (strings respected inside containers). */
static int skip_value(Cursor *c) {
    skip_ws(c);
    if (c->p >= c->end) return -1;
    if (*c->p == '"') return walk_string(c, NULL, NULL, NULL);
    if (*c->p == '{' || *c->p == '[') {
        int depth = 0;
        while (c->p < c->end) {
            uint8_t b = *c->p;
            if (b == '"') {
                if (walk_string(c, NULL, NULL, NULL) != 0) return -1;
                continue;
            }
            if (b == '{' || b == '[') depth++;
            if (b == '}' || b == ']') {
                depth--;
                if (depth == 0) {
                    c->p++;
                    return 0;
                }
            }
            c->p++;
        }
        return -1;
    }
    /* number, true, false, null: up to the next delimiter */
    while (c->p < c->end && *c->p != ',' && *c->p != '}' && *c->p != ']' && *c->p != ' ' &&
           *c->p != '\t' && *c->p != '\n' && *c->p != '\r') {
        c->p++;
    }
    return 0;
}

/* Finds the top-level "text" member and counts its words. Returns 0, or -1 with *why set. */
static int count_text_words(const uint8_t *json, size_t len, size_t *words, const char **why) {
    Cursor c = {json, json + len};
    skip_ws(&c);
    if (c.p >= c.end || *c.p != '{') {
        *why = "wordcount: the document is not a JSON object";
        return -1;
    }
    c.p++;
    for (;;) {
        skip_ws(&c);
        if (c.p < c.end && *c.p == '}') break;
        int is_text = 0;
        if (walk_string(&c, NULL, "text", &is_text) != 0) {
            *why = "wordcount: malformed document JSON (expected a key)";
            return -1;
        }
        skip_ws(&c);
        if (c.p >= c.end || *c.p != ':') {
            *why = "wordcount: malformed document JSON (expected ':')";
            return -1;
        }
        c.p++;
        skip_ws(&c);
        if (is_text) {
            if (c.p >= c.end || *c.p != '"') {
                *why = "wordcount: the document's \"text\" is not a string";
                return -1;
            }
            *words = 0;
            if (walk_string(&c, words, NULL, NULL) != 0) {
                *why = "wordcount: malformed string in the document's \"text\"";
                return -1;
            }
            return 0;
        }
        if (skip_value(&c) != 0) {
            *why = "wordcount: malformed document JSON (bad value)";
            return -1;
        }
        skip_ws(&c);
        if (c.p < c.end && *c.p == ',') {
            c.p++;
            continue;
        }
        break;
    }
    *why = "wordcount: the document has no \"text\" field";
    return -1;
}

static int32_t wc_create(const IngestHostApi *host, IngestStr config_json, void **instance,
                         IngestBuffer *error) {
    (void)host;
    (void)config_json; /* configuration is ignored */
    if (instance == NULL) {
        return fail(error, "wordcount: create called with a null instance slot");
    }
    Instance *inst = calloc(1, sizeof *inst);
    if (inst == NULL) {
        return fail(error, "wordcount: out of memory");
    }
    *instance = inst;
    return INGEST_OK;
}

static int32_t wc_process(void *instance, const IngestCall *call, IngestStr document_json,
                          IngestBuffer *output) {
    (void)call;
    if (instance == NULL) {
        return fail(output, "wordcount: process called with a null instance");
    }
    if (document_json.ptr == NULL && document_json.len != 0) {
        return fail(output, "wordcount: null document");
    }
    size_t words = 0;
    const char *why = NULL;
    if (count_text_words(document_json.ptr, document_json.len, &words, &why) != 0) {
        return fail(output, why);
    }
    char json[64];
    int n = snprintf(json, sizeof json, "{\"words\": %zu}", words);
    if (n < 0 || (size_t)n >= sizeof json) {
        return fail(output, "wordcount: cannot format the result");
    }
    fill_buffer(output, json, (size_t)n);
    if (output != NULL && output->ptr == NULL) {
        return fail(output, "wordcount: out of memory");
    }
    return INGEST_OK;
}

static void wc_destroy(void *instance) { free(instance); }

static void wc_free_buffer(IngestBuffer buffer) { free(buffer.ptr); }

#ifdef WORDCOUNT_ABI_1_0
#include <stddef.h>
/* What a 1.0 host or plugin knows of the descriptor: everything before `flush`. The field
 * itself is filled with a function that kills the process, so a host that reads past
 * struct_size is caught at once. */
static int32_t wc_flush_beyond_struct_size(void *instance, IngestBuffer *error) {
    (void)instance;
    (void)error;
    abort();
}
#define WC_ABI_MINOR 0u
#define WC_STRUCT_SIZE offsetof(IngestPluginDescriptor, flush)
#define WC_FLUSH wc_flush_beyond_struct_size
#else
#define WC_ABI_MINOR INGEST_ABI_MINOR
#define WC_STRUCT_SIZE sizeof(IngestPluginDescriptor)
#define WC_FLUSH NULL /* nothing to make durable */
#endif

static const IngestPluginDescriptor DESCRIPTOR = {
    .magic = INGEST_ABI_MAGIC,
    .abi_major = INGEST_ABI_MAJOR,
    .abi_minor = WC_ABI_MINOR,
    .struct_size = (uint32_t)WC_STRUCT_SIZE,
    .flags = INGEST_PLUGIN_THREAD_SAFE,
    .name = {(const uint8_t *)PLUGIN_NAME, sizeof PLUGIN_NAME - 1},
    .version = {(const uint8_t *)PLUGIN_VERSION, sizeof PLUGIN_VERSION - 1},
    .create = wc_create,
    .process = wc_process,
    .destroy = wc_destroy,
    .free_buffer = wc_free_buffer,
    .flush = WC_FLUSH,
};

const IngestPluginDescriptor *ingest_plugin_descriptor(void) { return &DESCRIPTOR; }
