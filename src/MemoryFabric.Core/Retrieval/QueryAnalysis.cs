namespace MemoryFabric.Retrieval;

/// <summary>What a query asks for, as far as retrieval cares.</summary>
/// <param name="Terms">The query's search terms.</param>
/// <param name="NamedPeople">Participants of the conversation the query names.</param>
/// <param name="AsksWhen">Whether the query asks for a time ("when…", "what year…").</param>
/// <param name="DateRange">The date range the query names ("in May 2023", "last week"), if any; both ends inclusive.</param>
public sealed record QueryAnalysis(
    IReadOnlyList<string> Terms,
    IReadOnlyList<string> NamedPeople,
    bool AsksWhen,
    (DateOnly From, DateOnly To)? DateRange);
