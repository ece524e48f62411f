using MemoryFabric.Extraction;
using MemoryFabric.Text;

namespace MemoryFabric.Guard;

/// <summary>Derives claims by the note extractor's rules: each sentence the classifier reads as a stable attribute
/// ("I live in Boston", "my favourite food is ramen") is a claim about the speaker.</summary>
public sealed class RuleBasedClaimExtractor : IClaimExtractor
{
    /// <summary>The shared instance.</summary>
    public static RuleBasedClaimExtractor Instance { get; } = new();

    /// <inheritdoc />
    public Task<IReadOnlyList<MemoryClaim>> ExtractAsync(string text, string? speaker, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        cancellationToken.ThrowIfCancellationRequested();
        if (string.IsNullOrWhiteSpace(speaker))
        {
            return Task.FromResult<IReadOnlyList<MemoryClaim>>([]);
        }

        var claims = new List<MemoryClaim>();
        foreach (var sentence in SentenceSplitter.Split(text))
        {
            var classification = NoteClassifier.Classify(sentence);
            if (classification is { Attribute: { } attribute, Value: { } value } && !string.IsNullOrWhiteSpace(value))
            {
                claims.Add(new MemoryClaim(EntityExtractor.Normalize(speaker), attribute, value.Trim()));
            }
        }

        return Task.FromResult<IReadOnlyList<MemoryClaim>>(claims);
    }
}
