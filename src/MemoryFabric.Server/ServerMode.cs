namespace MemoryFabric.Server;

/// <summary>How the server hosts the fabric's actors (<c>MemoryFabric:Mode</c>).</summary>
public enum ServerMode
{
    /// <summary>The local actor runtime in this process, state in SQLite under the data directory.</summary>
    Embedded,

    /// <summary>Orleans grains in a cluster this process joins as a silo. The host must register an
    /// <see cref="MemoryFabric.Actors.IFabricActorClient"/> that calls grains (the cluster host does).</summary>
    Cluster,
}
