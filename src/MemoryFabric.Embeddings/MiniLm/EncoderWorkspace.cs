namespace MemoryFabric.Embeddings.MiniLm;

/// <summary>
/// The activation buffers of one forward pass over up to <see cref="MaxTokens"/> tokens (the sequences of a
/// chunk packed back to back, no padding). One per worker thread, reused across calls; about 12 KB per token.
/// </summary>
internal sealed class EncoderWorkspace
{
    /// <summary>Allocates a workspace.</summary>
    /// <param name="maxTokens">The most tokens in one chunk.</param>
    /// <param name="maxLength">The longest sequence.</param>
    /// <param name="hidden">The hidden size.</param>
    /// <param name="intermediate">The feed-forward inner size.</param>
    /// <param name="headSize">The attention head size.</param>
    public EncoderWorkspace(int maxTokens, int maxLength, int hidden, int intermediate, int headSize)
    {
        MaxTokens = maxTokens;
        MaxLength = maxLength;
        Hidden = new PinnedBuffer<float>(maxTokens * hidden);
        Normed = new PinnedBuffer<float>(maxTokens * hidden);
        Context = new PinnedBuffer<float>(maxTokens * hidden);
        Wide = new PinnedBuffer<float>(maxTokens * Math.Max(3 * hidden, intermediate));
        AttentionScratch = new PinnedBuffer<float>(Attention.ScratchSize(maxLength, headSize));
        Linear = new LinearScratch(maxTokens, Math.Max(hidden, intermediate));
    }

    /// <summary>The most tokens in one chunk.</summary>
    public int MaxTokens { get; }

    /// <summary>The longest sequence.</summary>
    public int MaxLength { get; }

    /// <summary>The hidden states between layers (tokens × hidden).</summary>
    public PinnedBuffer<float> Hidden { get; }

    /// <summary>The hidden states after the attention block's LayerNorm (tokens × hidden).</summary>
    public PinnedBuffer<float> Normed { get; }

    /// <summary>The attention output (tokens × hidden).</summary>
    public PinnedBuffer<float> Context { get; }

    /// <summary>The Q|K|V projections, later the feed-forward activations (tokens × max(3·hidden, intermediate)).</summary>
    public PinnedBuffer<float> Wide { get; }

    /// <summary>The attention kernel's scratch.</summary>
    public PinnedBuffer<float> AttentionScratch { get; }

    /// <summary>The linear layers' scratch.</summary>
    public LinearScratch Linear { get; }
}
