namespace MemoryFabric.Guard;

/// <summary>Derives the claims a memory makes, for the guard's consensus check. Rules by default; a chat model when
/// one is configured.</summary>
public interface IClaimExtractor
{
    /// <summary>Derives the claims of one record.</summary>
    /// <param name="text">The record's text.</param>
    /// <param name="speaker">Who said or wrote it, when known.</param>
    /// <param name="cancellationToken">Cancels the extraction.</param>
    /// <returns>The claims; empty when the record states no attribute value.</returns>
    Task<IReadOnlyList<MemoryClaim>> ExtractAsync(string text, string? speaker, CancellationToken cancellationToken = default);
}
