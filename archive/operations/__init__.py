"""Operations for the people who run the service: health checks, fixity, export."""
