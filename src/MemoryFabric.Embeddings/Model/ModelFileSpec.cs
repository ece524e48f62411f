namespace MemoryFabric.Embeddings;

/// <summary>One file of a model: its name in the model directory, where it sits in the npm package, its size
/// and its SHA-256 digest.</summary>
/// <param name="FileName">The file's name in the model directory.</param>
/// <param name="PackagePath">The entry's path inside the npm tarball.</param>
/// <param name="Length">The size in bytes.</param>
/// <param name="Sha256">The lower-case hex SHA-256 digest.</param>
internal sealed record ModelFileSpec(string FileName, string PackagePath, long Length, string Sha256);
