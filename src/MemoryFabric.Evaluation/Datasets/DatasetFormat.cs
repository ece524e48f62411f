namespace MemoryFabric.Evaluation.Datasets;

/// <summary>The file format a dataset was read from.</summary>
public enum DatasetFormat
{
    /// <summary>LoCoMo's own format: a JSON array of samples with <c>conversation</c> and <c>qa</c>.</summary>
    Locomo,

    /// <summary>The generic conversation format: an object with <c>name</c> and <c>conversations</c>.</summary>
    Generic,
}
