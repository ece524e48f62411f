using System.Formats.Tar;
using System.IO.Compression;

namespace MemoryFabric.Embeddings.Tests;

/// <summary>Model acquisition and verification: missing and corrupted files are named, a fetch is verified before
/// anything is moved into place, and fetching is idempotent and single-flight.</summary>
public sealed class MiniLmModelTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "memfab-model-tests-" + Guid.NewGuid().ToString("N"));

    public MiniLmModelTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task The_default_model_directory_verifies_after_ensure()
    {
        var directory = await MiniLmModel.EnsureAsync();
        MiniLmModel.Verify(directory);
        Assert.True(MiniLmModel.IsAvailable(directory));
    }

    [Fact]
    public async Task A_missing_file_is_named()
    {
        var directory = await CopyModelAsync("missing");
        File.Delete(Path.Combine(directory, MiniLmModel.VocabFileName));
        var error = Assert.Throws<ModelFileException>(() => MiniLmModel.Verify(directory));
        Assert.Equal(Path.Combine(directory, MiniLmModel.VocabFileName), error.FilePath);
        Assert.Contains("vocab.txt", error.Message, StringComparison.Ordinal);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
        Assert.False(MiniLmModel.IsAvailable(directory));
    }

    [Fact]
    public async Task A_truncated_file_is_named()
    {
        var directory = await CopyModelAsync("truncated");
        var data = Path.Combine(directory, MiniLmModel.DataFileName);
        using (var stream = new FileStream(data, FileMode.Open))
        {
            stream.SetLength(stream.Length - 100);
        }

        var error = Assert.Throws<ModelFileException>(() => MiniLmModel.Verify(directory));
        Assert.Equal(data, error.FilePath);
        Assert.Contains("corrupted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flipped_byte_of_the_right_size_is_caught_by_the_digest()
    {
        var directory = await CopyModelAsync("flipped");
        var onnx = Path.Combine(directory, MiniLmModel.OnnxFileName);
        var bytes = await File.ReadAllBytesAsync(onnx);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(onnx, bytes);

        var error = Assert.Throws<ModelFileException>(() => MiniLmModel.Verify(directory));
        Assert.Equal(onnx, error.FilePath);
        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ensure_fetches_into_an_empty_directory_once_and_then_returns_at_once()
    {
        var tarball = await BuildTarballAsync(corruptVocab: false);
        var target = Path.Combine(_root, "fetched");
        var packs = 0;
        var lines = new List<string>();

        var first = await MiniLmModel.EnsureAsync(target, new SyncProgress(lines), (_, _) => { Interlocked.Increment(ref packs); return Task.FromResult(tarball); }, CancellationToken.None);
        var second = await MiniLmModel.EnsureAsync(target, null, (_, _) => { Interlocked.Increment(ref packs); return Task.FromResult(tarball); }, CancellationToken.None);

        Assert.Equal(Path.GetFullPath(target), first);
        Assert.Equal(first, second);
        Assert.Equal(1, packs);
        MiniLmModel.Verify(target);
        Assert.Contains(lines, l => l.Contains("npm pack", StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateDirectories(target)); // the work directory is cleaned up
    }

    [Fact]
    public async Task Ensure_replaces_a_corrupted_file()
    {
        var directory = await CopyModelAsync("repair");
        await File.WriteAllTextAsync(Path.Combine(directory, MiniLmModel.VocabFileName), "not a vocabulary");
        var tarball = await BuildTarballAsync(corruptVocab: false);

        await MiniLmModel.EnsureAsync(directory, null, (_, _) => Task.FromResult(tarball), CancellationToken.None);

        MiniLmModel.Verify(directory);
    }

    [Fact]
    public async Task A_fetched_file_that_fails_its_digest_is_not_moved_into_place()
    {
        var tarball = await BuildTarballAsync(corruptVocab: true);
        var target = Path.Combine(_root, "bad-fetch");

        var error = await Assert.ThrowsAsync<ModelFileException>(
            () => MiniLmModel.EnsureAsync(target, null, (_, _) => Task.FromResult(tarball), CancellationToken.None));

        Assert.Contains("vocab.txt", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(target, MiniLmModel.VocabFileName)));
    }

    [Fact]
    public async Task Concurrent_ensures_fetch_once()
    {
        var tarball = await BuildTarballAsync(corruptVocab: false);
        var target = Path.Combine(_root, "concurrent");
        var packs = 0;
        async Task<string> Pack(string work, CancellationToken token)
        {
            Interlocked.Increment(ref packs);
            await Task.Delay(200, token);
            return tarball;
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => MiniLmModel.EnsureAsync(target, null, Pack, CancellationToken.None))));

        Assert.Equal(1, packs);
        MiniLmModel.Verify(target);
    }

    [Fact]
    public void The_directory_can_be_set_by_environment_variable()
    {
        var previous = Environment.GetEnvironmentVariable(MiniLmModel.DirectoryEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(MiniLmModel.DirectoryEnvironmentVariable, _root);
            Assert.Equal(Path.GetFullPath(_root), MiniLmModel.DefaultDirectory);
        }
        finally
        {
            Environment.SetEnvironmentVariable(MiniLmModel.DirectoryEnvironmentVariable, previous);
        }
    }

    private async Task<string> CopyModelAsync(string name)
    {
        var source = await MiniLmModel.EnsureAsync();
        var target = Path.Combine(_root, name);
        Directory.CreateDirectory(target);
        foreach (var file in new[] { MiniLmModel.OnnxFileName, MiniLmModel.DataFileName, MiniLmModel.VocabFileName })
        {
            File.Copy(Path.Combine(source, file), Path.Combine(target, file));
        }

        return target;
    }

    /// <summary>A tarball laid out like the npm package, built from the verified model files.</summary>
    private async Task<string> BuildTarballAsync(bool corruptVocab)
    {
        var source = await MiniLmModel.EnsureAsync();
        var path = Path.Combine(_root, (corruptVocab ? "bad" : "good") + ".tgz");
        await using var file = File.Create(path);
        await using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        await using var writer = new TarWriter(gzip, TarEntryFormat.Pax);
        const string prefix = "package/model/onnx-community/all-MiniLM-L6-v2-ONNX/";
        await writer.WriteEntryAsync(Path.Combine(source, MiniLmModel.OnnxFileName), prefix + "onnx/model_q4.onnx");
        await writer.WriteEntryAsync(Path.Combine(source, MiniLmModel.DataFileName), prefix + "onnx/model_q4.onnx_data");
        if (corruptVocab)
        {
            var vocab = await File.ReadAllBytesAsync(Path.Combine(source, MiniLmModel.VocabFileName));
            vocab[10] ^= 1;
            var entry = new PaxTarEntry(TarEntryType.RegularFile, prefix + "vocab.txt") { DataStream = new MemoryStream(vocab) };
            await writer.WriteEntryAsync(entry);
        }
        else
        {
            await writer.WriteEntryAsync(Path.Combine(source, MiniLmModel.VocabFileName), prefix + "vocab.txt");
        }

        return path;
    }

    private sealed class SyncProgress(List<string> lines) : IProgress<string>
    {
        public void Report(string value)
        {
            lock (lines)
            {
                lines.Add(value);
            }
        }
    }
}
