namespace MemoryFabric.Storage.Sqlite;
