using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings;

/// <summary>
/// An in-memory embedding cache in front of another generator, keyed by a hash of the text (SHA-256, first 128
/// bits, over the text and the options' model id and dimensions, and whether it is a query when the inner encoder
/// encodes queries differently: <see cref="BertEmbeddingGenerator.QueryPrefix"/>), so re-ingesting or re-asking the same
/// text does not encode it again. Only the misses of a call go to the inner generator, in one request, each distinct text once.
/// Bounded: the least recently used entry is evicted past <see cref="CachingEmbeddingGeneratorOptions.Capacity"/>.
/// Thread-safe.
/// </summary>
public sealed class CachingEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly int _capacity;
    private readonly Lock _gate = new();
    private readonly Dictionary<UInt128, LinkedListNode<CacheEntry>> _entries = [];
    private readonly LinkedList<CacheEntry> _recency = new();
    private readonly bool _queriesApart;
    private long _hits;
    private long _misses;

    /// <summary>Creates the cache.</summary>
    /// <param name="innerGenerator">The generator that encodes the misses.</param>
    /// <param name="options">The options; defaults when <see langword="null"/>.</param>
    public CachingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, CachingEmbeddingGeneratorOptions? options = null)
        : base(innerGenerator)
    {
        _capacity = options?.Capacity ?? new CachingEmbeddingGeneratorOptions().Capacity;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_capacity, "options.Capacity");

        // Only our asymmetric encoders read EmbeddingInputType; for every other generator a query's vector is the
        // document's, and the two share an entry.
        _queriesApart = innerGenerator.GetService(typeof(BertEmbeddingGenerator)) is BertEmbeddingGenerator { QueryPrefix: not null };
    }

    /// <summary>Texts answered from the cache so far.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Texts sent to the inner generator so far.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>The number of cached embeddings.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values as IReadOnlyList<string> ?? values.ToList();
        var keys = new UInt128[texts.Count];
        var results = new Embedding<float>?[texts.Count];
        var missing = new Dictionary<UInt128, int>(); // key -> index in missTexts
        var missTexts = new List<string>();
        lock (_gate)
        {
            for (var i = 0; i < texts.Count; i++)
            {
                ArgumentNullException.ThrowIfNull(texts[i], nameof(values));
                keys[i] = KeyOf(texts[i], options);
                if (_entries.TryGetValue(keys[i], out var node))
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    results[i] = Copy(node.Value.Embedding);
                }
                else if (!missing.ContainsKey(keys[i]))
                {
                    missing[keys[i]] = missTexts.Count;
                    missTexts.Add(texts[i]);
                }
            }
        }

        Interlocked.Add(ref _hits, texts.Count - missTexts.Count);
        Interlocked.Add(ref _misses, missTexts.Count);
        if (missTexts.Count > 0)
        {
            var generated = await base.GenerateAsync(missTexts, options, cancellationToken).ConfigureAwait(false);
            if (generated.Count != missTexts.Count)
            {
                throw new InvalidOperationException(
                    $"The inner embedding generator returned {generated.Count} embeddings for {missTexts.Count} inputs.");
            }

            lock (_gate)
            {
                foreach (var (key, index) in missing)
                {
                    Add(key, generated[index]);
                }
            }

            for (var i = 0; i < texts.Count; i++)
            {
                results[i] ??= Copy(generated[missing[keys[i]]]);
            }
        }

        return new GeneratedEmbeddings<Embedding<float>>(results!);
    }

    private void Add(UInt128 key, Embedding<float> embedding)
    {
        if (_entries.ContainsKey(key))
        {
            return;
        }

        _entries[key] = _recency.AddFirst(new CacheEntry(key, embedding));
        while (_entries.Count > _capacity)
        {
            var last = _recency.Last!;
            _recency.RemoveLast();
            _entries.Remove(last.Value.Key);
        }
    }

    private static Embedding<float> Copy(Embedding<float> embedding) =>
        new(embedding.Vector) { ModelId = embedding.ModelId, CreatedAt = embedding.CreatedAt };

    private UInt128 KeyOf(string text, EmbeddingGenerationOptions? options)
    {
        // Only what changes the vector keys it: a call's priority or deadline (AdditionalProperties) does not; its input
        // type does for an asymmetric encoder (it encodes a query differently from the same text stored as a document).
        var query = _queriesApart && EmbeddingInputType.IsQuery(options);
        var prefix = options is null || (options.ModelId is null && options.Dimensions is null && !query)
            ? string.Empty
            : $"{options.ModelId}\u0001{options.Dimensions}\u0001{(query ? EmbeddingInputType.Query : string.Empty)}\u0001";
        var length = Encoding.UTF8.GetMaxByteCount(prefix.Length + text.Length);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(prefix, rented);
            written += Encoding.UTF8.GetBytes(text, 0, text.Length, rented, written);
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(rented.AsSpan(0, written), digest);
            return MemoryMarshal.Read<UInt128>(digest);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private sealed record CacheEntry(UInt128 Key, Embedding<float> Embedding);
}
