namespace MemoryFabric.Retrieval;

/// <summary>Whether a retrieved item still holds (<see cref="ContextItem.Status"/>).</summary>
public enum MemoryItemStatus
{
    /// <summary>It holds: the default, and the state of every item nothing replaced.</summary>
    Active,

    /// <summary>A newer note replaced it (an update or a contradicting fact): a superseded note version, or a turn
    /// that is the source of a superseded note and of no active one. <see cref="ContextItem.SupersededBy"/> names the
    /// version that replaced it.</summary>
    Superseded,

    /// <summary>Its validity ended by the query time (<see cref="ContextItem.ValidTo"/>): an active note whose
    /// valid-to has passed, or a turn that is the source of such notes only.</summary>
    Expired,
}
