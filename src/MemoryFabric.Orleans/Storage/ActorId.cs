namespace MemoryFabric.Orleans.Storage;

/// <summary>The address of an actor: its type name and its key (for agent memories, <c>tenant/agent</c>).</summary>
public readonly record struct ActorId
{
    /// <summary>Creates an actor id.</summary>
    /// <param name="type">The actor type name, e.g. <c>agent</c>.</param>
    /// <param name="key">The key within the type, e.g. <c>acme/support-bot</c>.</param>
    /// <exception cref="ArgumentException">The type or the key is blank.</exception>
    public ActorId(string type, string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        Type = type;
        Key = key;
    }

    /// <summary>The actor type name.</summary>
    public string Type { get; }

    /// <summary>The key within the type.</summary>
    public string Key { get; }

    /// <inheritdoc />
    public override string ToString() => Type + ":" + Key;
}
