namespace MemoryFabric.Embeddings.Onnx;

/// <summary>The ONNX <c>TensorProto.DataType</c> values this reader knows by name.</summary>
internal enum OnnxDataType
{
    /// <summary>Not set.</summary>
    Undefined = 0,

    /// <summary>32-bit float.</summary>
    Float = 1,

    /// <summary>Unsigned byte.</summary>
    UInt8 = 2,

    /// <summary>Signed byte.</summary>
    Int8 = 3,

    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16 = 4,

    /// <summary>Signed 16-bit integer.</summary>
    Int16 = 5,

    /// <summary>Signed 32-bit integer.</summary>
    Int32 = 6,

    /// <summary>Signed 64-bit integer.</summary>
    Int64 = 7,

    /// <summary>String.</summary>
    String = 8,

    /// <summary>Boolean.</summary>
    Bool = 9,

    /// <summary>IEEE half float.</summary>
    Float16 = 10,

    /// <summary>64-bit float.</summary>
    Double = 11,

    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32 = 12,

    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64 = 13,

    /// <summary>bfloat16.</summary>
    BFloat16 = 16,

    /// <summary>Unsigned 4-bit integer, two per byte.</summary>
    UInt4 = 21,

    /// <summary>Signed 4-bit integer, two per byte.</summary>
    Int4 = 22,
}
