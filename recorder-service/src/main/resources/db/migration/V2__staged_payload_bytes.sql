-- Staged events keep the event JSON as the UTF-8 bytes the recorder writes into the recording: no
-- decoding to text on insert and encoding again on assembly (measured: see the README's Benchmark).
ALTER TABLE session_event_buffer ALTER COLUMN payload TYPE bytea USING convert_to(payload, 'UTF8');
