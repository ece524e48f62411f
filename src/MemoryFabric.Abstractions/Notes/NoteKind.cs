namespace MemoryFabric.Notes;

/// <summary>What a note states.</summary>
public enum NoteKind
{
    /// <summary>A statement of fact ("Caroline is a counselor").</summary>
    Fact,

    /// <summary>A like, dislike or favourite ("Melanie loves pottery").</summary>
    Preference,

    /// <summary>Something that happened at a time ("Caroline went to a support group on 7 May 2023").</summary>
    Event,

    /// <summary>An intention about the future ("Melanie plans to go camping next month").</summary>
    Plan,

    /// <summary>A relationship between people ("Melanie's husband").</summary>
    Relationship,

    /// <summary>A stable attribute of a person: identity, job, home, age.</summary>
    Profile,
}
