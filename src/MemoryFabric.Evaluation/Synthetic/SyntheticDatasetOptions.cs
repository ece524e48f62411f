namespace MemoryFabric.Evaluation.Synthetic;

/// <summary>What <see cref="SyntheticDatasetGenerator"/> writes.</summary>
public sealed record SyntheticDatasetOptions
{
    /// <summary>The style of the conversations.</summary>
    public SyntheticStyle Style { get; init; } = SyntheticStyle.Assistant;

    /// <summary>The seed: the same seed and options give the same dataset, byte for byte.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The number of conversations (1 to 100; default 4).</summary>
    public int Conversations { get; init; } = 4;

    /// <summary>Sessions per conversation (12 to 200), or <see langword="null"/> for the style's default (assistant
    /// 26, chat 30).</summary>
    public int? Sessions { get; init; }
}
