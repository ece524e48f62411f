namespace MemoryFabric.Server;

/// <summary>How the server hosts the fabric's grains (<c>MemoryFabric:Mode</c>).</summary>
public enum ServerMode
{
    /// <summary>One Orleans silo in this process (localhost clustering), state and reminders in SQLite under the data
    /// directory.</summary>
    Embedded,

    /// <summary>A silo of an Orleans cluster (<c>MemoryFabric:Cluster:*</c>: membership, reminders and state in Azure
    /// Storage).</summary>
    Cluster,
}
