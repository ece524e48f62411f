namespace MemoryFabric.Mcp.Tests.Support;

/// <summary>Distinct facts made of word lists, each with a question that names it.</summary>
internal static class Facts
{
    private static readonly string[] Names = ["Alice", "Bruno", "Chiara", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas"];
    private static readonly string[] Things = ["violin", "kayak", "telescope", "typewriter", "bonsai", "sextant", "banjo", "microscope", "hammock", "lantern"];
    private static readonly string[] Places = ["Lisbon", "Oslo", "Kyoto", "Quito", "Tallinn", "Accra", "Hobart", "Bergen", "Cusco", "Dakar"];

    /// <summary>The i-th fact (i below 1,000) and a query for it.</summary>
    public static (string Text, string Query) Get(int i)
    {
        var name = Names[i % 10];
        var thing = Things[i / 10 % 10];
        var place = Places[i / 100 % 10];
        return ($"{name} bought a {thing} in {place} last spring.", $"Where did {name} buy the {thing}?");
    }
}
