namespace MemoryFabric.Temporal;

/// <summary>A relative date expression found in a text and what it resolves to.</summary>
/// <param name="Start">Where the matched span starts in the text (it includes a swallowed preposition such as "on").</param>
/// <param name="Length">The length of the matched span.</param>
/// <param name="Text">The matched span, verbatim.</param>
/// <param name="Date">
/// The resolved date: the day itself for <see cref="DateGranularity.Day"/>, the anchor day for
/// <see cref="DateGranularity.Week"/>, the Saturday for <see cref="DateGranularity.Weekend"/>, and the first day of the
/// period for <see cref="DateGranularity.Month"/> and <see cref="DateGranularity.Year"/>.
/// </param>
/// <param name="Granularity">How precise <paramref name="Date"/> is.</param>
/// <param name="Rendered">The absolute phrase that replaces the span, with its own preposition ("on 7 May 2023").</param>
public sealed record DateMention(int Start, int Length, string Text, DateOnly Date, DateGranularity Granularity, string Rendered);
