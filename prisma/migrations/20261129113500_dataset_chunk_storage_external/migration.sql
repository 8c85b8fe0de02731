-- Dataset chunks are typed arrays of measured values, which pglz almost never shrinks by the 25%
-- it needs to keep a compressed copy, but tries on the whole 512 KiB first: storing 1M × 21
-- decimal-derived doubles took 2.2 s with compression tried and 0.7 s without (README,
-- Performance: CSV ingest). EXTERNAL keeps values out of line, uncompressed. Rows written before
-- this migration keep their storage; reads are the same either way.
ALTER TABLE "DatasetChunk" ALTER COLUMN "data" SET STORAGE EXTERNAL;
