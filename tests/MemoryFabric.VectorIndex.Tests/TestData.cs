namespace MemoryFabric.VectorIndex.Tests;

/// <summary>Seeded synthetic vectors: the benchmark's clustered distribution at test sizes.</summary>
internal static class TestData
{
    /// <summary>Data and queries drawn around the same centres.</summary>
    public static (float[][] Data, float[][] Queries) Clustered(int count, int queries, int dimensions, int centres, int seed)
    {
        var random = new Random(seed);
        var centreVectors = new float[centres][];
        for (var c = 0; c < centres; c++)
        {
            centreVectors[c] = Normalize(Gaussian(random, dimensions, 1));
        }

        return (Draw(random, centreVectors, count, dimensions), Draw(random, centreVectors, queries, dimensions));
    }

    public static float[][] Random(int count, int dimensions, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => Normalize(Gaussian(random, dimensions, 1))).ToArray();
    }

    public static float[] Normalize(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        for (var i = 0; i < v.Length; i++)
        {
            v[i] /= norm;
        }

        return v;
    }

    public static List<(int Index, float Score)> BruteForce(float[][] data, float[] query, int k, Func<int, bool>? include = null)
    {
        var scored = new List<(int Index, float Score)>();
        for (var i = 0; i < data.Length; i++)
        {
            if (include is null || include(i))
            {
                scored.Add((i, Dot(data[i], query)));
            }
        }

        return scored.OrderByDescending(s => s.Score).ThenBy(s => s.Index).Take(k).ToList();
    }

    public static float Dot(float[] a, float[] b)
    {
        var sum = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    public static string Key(int i) => $"item-{i}";

    public static int IndexOf(string key) => int.Parse(key.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture);

    public static VectorShardOptions Options(int dimensions, VectorStorage storage = VectorStorage.InMemory) => new()
    {
        Dimensions = dimensions,
        M = 16,
        EfConstruction = 100,
        EfSearch = 64,
        VectorStorage = storage,
    };

    public static VectorShard Build(float[][] data, VectorShardOptions options, Func<int, VectorItemMetadata>? metadata = null)
    {
        var shard = new VectorShard(options);
        for (var i = 0; i < data.Length; i++)
        {
            shard.Upsert(Key(i), data[i], metadata?.Invoke(i) ?? default);
        }

        return shard;
    }

    private static float[][] Draw(Random random, float[][] centres, int count, int dimensions)
    {
        var result = new float[count][];
        var noise = 1 / MathF.Sqrt(dimensions);
        for (var i = 0; i < count; i++)
        {
            var centre = centres[random.Next(centres.Length)];
            var g = Gaussian(random, dimensions, noise);
            for (var d = 0; d < dimensions; d++)
            {
                g[d] += centre[d];
            }

            result[i] = Normalize(g);
        }

        return result;
    }

    private static float[] Gaussian(Random random, int dimensions, float scale)
    {
        var v = new float[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            v[i] = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2)) * scale;
        }

        return v;
    }
}

/// <summary>A temporary directory deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mf-vi-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
