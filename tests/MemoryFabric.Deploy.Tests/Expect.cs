namespace MemoryFabric.Deploy.Tests;

internal static class Expect
{
    /// <summary>Fails listing every offending item (Assert.Empty shows only the first few).</summary>
    public static void None<T>(IEnumerable<T> offending, string what = "unexpected")
    {
        var list = offending.ToList();
        Assert.True(list.Count == 0, $"{what}:\n" + string.Join("\n", list));
    }
}
