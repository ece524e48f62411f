namespace MemoryFabric.Embeddings.MiniLm;

/// <summary>
/// The fixed text run once through the fp32 layers at load time to find each int8 layer's outlier input
/// channels (see <see cref="Int8Linear"/>). BERT's outlier channels are a property of the weights and show up
/// on any text; a few ordinary sentences with punctuation, numbers and a question are enough. Being fixed, it
/// makes loading deterministic: the same model always gets the same channels.
/// </summary>
internal static class CalibrationText
{
    /// <summary>The calibration sentences.</summary>
    public static IReadOnlyList<string> Sentences { get; } =
    [
        "The committee met on Tuesday to review the quarterly budget, and several members asked why travel costs had doubled since last year.",
        "Can you remind me where I parked the car? I think it was near the old library on Fifth Street!",
        "Photosynthesis converts light energy into chemical energy; plants, algae and some bacteria rely on it.",
        "She adopted two cats in 2019 and still volunteers at the shelter every other weekend.",
    ];
}
