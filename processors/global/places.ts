// Lisbon neighbourhoods a consumer may name ("sushi in Avenidas Novas"): the search
// then measures distance from there instead of from where the phone is. Centres are
// the neighbourhoods' usual landmarks (a square, a station), good to a few hundred metres.
import type { CatalogPlace } from '../../src/understanding/index.js';

export const LISBON_PLACES: readonly CatalogPlace[] = [
  { name: 'Alfama', lat: 38.7115, lon: -9.1300 },
  { name: 'Baixa', lat: 38.7105, lon: -9.1380 },
  { name: 'Chiado', lat: 38.7106, lon: -9.1420 },
  { name: 'Bairro Alto', lat: 38.7130, lon: -9.1455 },
  { name: 'Cais do Sodré', lat: 38.7060, lon: -9.1450 },
  { name: 'Príncipe Real', lat: 38.7165, lon: -9.1485 },
  { name: 'Sé', lat: 38.7098, lon: -9.1330 },
  { name: 'Mouraria', lat: 38.7160, lon: -9.1360 },
  { name: 'Graça', lat: 38.7170, lon: -9.1310 },
  { name: 'Estrela', lat: 38.7135, lon: -9.1590 },
  { name: 'Campo de Ourique', lat: 38.7170, lon: -9.1650 },
  { name: 'Alcântara', lat: 38.7040, lon: -9.1770 },
  { name: 'LX Factory', lat: 38.7035, lon: -9.1789 },
  { name: 'Belém', lat: 38.6975, lon: -9.2060 },
  { name: 'Avenidas Novas', lat: 38.7380, lon: -9.1460 },
  { name: 'Saldanha', lat: 38.7335, lon: -9.1450 },
  { name: 'Arroios', lat: 38.7280, lon: -9.1350 },
  { name: 'Alvalade', lat: 38.7530, lon: -9.1420 },
  { name: 'Parque das Nações', lat: 38.7680, lon: -9.0950 },
  { name: 'Oriente', lat: 38.7678, lon: -9.0990 },
];
