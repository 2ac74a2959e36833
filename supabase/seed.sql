-- Demo data for x7-stream: one real city, Lisbon (Europe/Lisbon).
--
-- Idempotent: `x7 db seed` inserts what is missing and leaves what is there.
-- Catalogue rows the seed owns (businesses, offerings, FAQs, users) are refreshed
-- from this file (ON CONFLICT DO UPDATE) — except a business's accepting_bookings,
-- which the dashboard may have changed. Activity (members, bookings, conversations,
-- messages, workflow runs, audit rows, announcements) is only ever added, never
-- overwritten. Opening hours are inserted for businesses that have none, so hours
-- changed through the dashboard are not mixed with the seeded ones.
--
-- Times of bookings and conversations are relative to the moment of seeding, so a
-- freshly seeded demo always has upcoming bookings.
--
-- Runs inside one transaction (x7 db seed provides it).

-- ---------------------------------------------------------------------------
-- people

insert into users (id, display_name, email) values
  ('u-ana',     'Ana Ferreira',    'ana.ferreira@example.pt'),
  ('u-bruno',   'Bruno Matos',     'bruno.matos@example.pt'),
  ('u-carla',   'Carla Nunes',     'carla.nunes@example.pt'),
  ('u-joao',    'João Pereira',    'joao.pereira@example.pt'),
  ('u-marta',   'Marta Sousa',     'marta.sousa@example.pt'),
  ('u-rui',     'Rui Almeida',     'rui.almeida@example.pt'),
  ('u-ines',    'Inês Carvalho',   'ines.carvalho@example.pt'),
  ('u-teresa',  'Teresa Lopes',    'teresa.lopes@example.pt'),
  ('u-diego',   'Diego Ramírez',   'diego.ramirez@example.com'),
  ('u-eva',     'Eva Schneider',   'eva.schneider@example.com'),
  ('u-filipa',  'Filipa Costa',    'filipa.costa@example.pt'),
  ('u-gustavo', 'Gustavo Oliveira','gustavo.oliveira@example.com')
on conflict (id) do update set display_name = excluded.display_name, email = excluded.email;

-- ---------------------------------------------------------------------------
-- businesses (coordinates are real spots of their neighbourhood)

insert into businesses
  (id, name, category, description, keywords, address, city, lat, lon, timezone,
   price_level, rating, review_count, phone, accepting_bookings, capacity_per_slot, slot_minutes)
values
  -- restaurants
  ('lis-taberna-do-largo', 'Taberna do Largo', 'restaurant',
   'Family tasca on a small Alfama square: petiscos, grilled fish and fado on Thursday nights.',
   '{tasca,petiscos,portuguese,fado,grilled fish,traditional,alfama}',
   'Largo do Chafariz de Dentro 14, 1100-139 Lisboa', 'Lisbon', 38.71140, -9.12820, 'Europe/Lisbon',
   2, 4.6, 1284, '+351 21 886 4127', true, 32, 30),
  ('lis-casa-do-bacalhau-da-se', 'Casa do Bacalhau da Sé', 'restaurant',
   'Salt cod cooked twelve ways, a short walk down from the cathedral.',
   '{bacalhau,cod,portuguese,traditional,wine,se,baixa}',
   'Rua de São João da Praça 30, 1100-521 Lisboa', 'Lisbon', 38.70990, -9.13270, 'Europe/Lisbon',
   2, 4.4, 862, '+351 21 887 3310', true, 40, 30),
  ('lis-marisqueira-do-cais', 'Marisqueira do Cais', 'restaurant',
   'Seafood house by the river: shellfish by weight, rice dishes and cold white wine.',
   '{seafood,marisqueira,shellfish,prawns,clams,arroz de marisco,cais do sodre}',
   'Rua Nova do Carvalho 22, 1200-291 Lisboa', 'Lisbon', 38.70670, -9.14470, 'Europe/Lisbon',
   3, 4.5, 2210, '+351 21 342 0988', true, 48, 30),
  ('lis-tasca-da-rosa', 'Tasca da Rosa', 'restaurant',
   'Tiny late-night tasca in Bairro Alto; bifanas, caldo verde and house wine by the jug.',
   '{tasca,late night,cheap eats,bifana,caldo verde,bairro alto}',
   'Rua da Rosa 151, 1200-383 Lisboa', 'Lisbon', 38.71340, -9.14550, 'Europe/Lisbon',
   1, 4.3, 540, '+351 21 346 2275', true, 18, 30),
  ('lis-jardim-das-ervas', 'Jardim das Ervas', 'restaurant',
   'Vegetarian and vegan kitchen with a garden terrace, seasonal produce from the Oeste.',
   '{vegetarian,vegan,gluten free,healthy,terrace,garden,principe real}',
   'Rua da Escola Politécnica 58, 1250-102 Lisboa', 'Lisbon', 38.71720, -9.14970, 'Europe/Lisbon',
   2, 4.7, 930, '+351 21 395 1062', true, 36, 30),
  ('lis-sal-e-brasa-belem', 'Sal e Brasa', 'restaurant',
   'Charcoal grill near the monastery: picanha, chicken piri-piri and grilled sardines.',
   '{grill,churrasco,meat,piri-piri,sardines,family,belem}',
   'Rua Vieira Portuense 44, 1400-356 Lisboa', 'Lisbon', 38.69690, -9.20120, 'Europe/Lisbon',
   2, 4.2, 1530, '+351 21 363 5501', true, 60, 30),
  ('lis-fumeiro-da-doca', 'Fumeiro da Doca', 'restaurant',
   'Smokehouse in a converted dock warehouse under the 25 de Abril bridge.',
   '{smokehouse,bbq,meat,riverside,warehouse,groups,alcantara}',
   'Doca de Santo Amaro, Armazém 7, 1350-353 Lisboa', 'Lisbon', 38.70280, -9.17520, 'Europe/Lisbon',
   3, 4.4, 1120, '+351 21 397 6614', true, 50, 30),
  ('lis-oceano-mar-e-terra', 'Oceano Mar e Terra', 'restaurant',
   'Modern Portuguese with views of the Tagus and the Vasco da Gama bridge.',
   '{modern portuguese,river view,fish,tasting menu,business lunch,parque das nacoes}',
   'Alameda dos Oceanos 41, 1990-208 Lisboa', 'Lisbon', 38.76600, -9.09550, 'Europe/Lisbon',
   3, 4.3, 760, '+351 21 894 2230', false, 44, 30),
  ('lis-cozinha-da-avo-lurdes', 'Cozinha da Avó Lurdes', 'restaurant',
   'Home cooking as grandmother made it; the daily dish sells out by two.',
   '{home cooking,prato do dia,cheap eats,traditional,lunch,campo de ourique}',
   'Rua Ferreira Borges 71, 1350-161 Lisboa', 'Lisbon', 38.71760, -9.16640, 'Europe/Lisbon',
   1, 4.8, 412, '+351 21 385 7749', true, 24, 30),
  ('lis-sushi-do-tejo', 'Sushi do Tejo', 'restaurant',
   'Sushi counter using Portuguese fish: carabineiro nigiri, cavala, atum dos Açores.',
   '{sushi,japanese,fish,omakase,counter,avenidas novas}',
   'Avenida Duque de Ávila 120, 1050-084 Lisboa', 'Lisbon', 38.73530, -9.14600, 'Europe/Lisbon',
   3, 4.5, 980, '+351 21 314 8820', true, 20, 30),
  ('lis-cantinho-de-goa', 'O Cantinho de Goa', 'restaurant',
   'Goan and Indian cooking in Mouraria: xacuti, vindalho and chamuças.',
   '{goan,indian,curry,spicy,vegetarian options,mouraria}',
   'Rua do Benformoso 88, 1100-085 Lisboa', 'Lisbon', 38.71680, -9.13550, 'Europe/Lisbon',
   1, 4.4, 650, '+351 21 888 0412', true, 30, 30),
  -- cafés
  ('lis-cafe-garrett', 'Café Garrett', 'cafe',
   'Old Chiado coffee house with a marble counter, pastries and a busy esplanada.',
   '{coffee,pastries,historic,terrace,breakfast,chiado}',
   'Rua Garrett 56, 1200-204 Lisboa', 'Lisbon', 38.71090, -9.14110, 'Europe/Lisbon',
   2, 4.3, 3020, '+351 21 342 1750', true, 16, 30),
  ('lis-cafe-do-miradouro', 'Café do Miradouro', 'cafe',
   'Kiosk café at the Graça viewpoint: galão, tostas and the best sunset in town.',
   '{coffee,viewpoint,sunset,kiosk,terrace,graca}',
   'Largo da Graça 85, 1170-165 Lisboa', 'Lisbon', 38.71640, -9.13120, 'Europe/Lisbon',
   1, 4.5, 780, '+351 21 886 9102', false, 12, 30),
  ('lis-torra-cafe', 'Torra Café de Especialidade', 'cafe',
   'Specialty coffee roasted in-house, filter and espresso, quiet for laptops.',
   '{specialty coffee,roastery,filter coffee,wifi,laptop friendly,principe real}',
   'Praça do Príncipe Real 21, 1250-184 Lisboa', 'Lisbon', 38.71630, -9.14850, 'Europe/Lisbon',
   2, 4.7, 615, '+351 21 347 6620', false, 10, 30),
  ('lis-cafe-da-junqueira', 'Café da Junqueira', 'cafe',
   'Neighbourhood café and snack bar, sandwiches and soup at lunch.',
   '{coffee,snack bar,lunch,soup,sandwiches,alcantara}',
   'Rua da Junqueira 210, 1300-346 Lisboa', 'Lisbon', 38.69900, -9.19250, 'Europe/Lisbon',
   1, 4.1, 240, '+351 21 364 2208', false, 14, 30),
  ('lis-brunch-das-avenidas', 'Brunch das Avenidas', 'cafe',
   'All-day brunch: eggs Benedict, pancakes, açaí bowls and fresh juices.',
   '{brunch,breakfast,pancakes,eggs,juice,avenidas novas}',
   'Avenida da República 34, 1050-193 Lisboa', 'Lisbon', 38.74100, -9.14560, 'Europe/Lisbon',
   2, 4.4, 1340, '+351 21 793 5518', true, 20, 30),
  ('lis-cafe-estacao-oriente', 'Café Estação', 'cafe',
   'Bright café near the Oriente station and the riverside walk.',
   '{coffee,breakfast,pastries,station,riverside,parque das nacoes}',
   'Rua do Bojador 12, 1990-037 Lisboa', 'Lisbon', 38.77000, -9.09380, 'Europe/Lisbon',
   1, 4.0, 310, '+351 21 895 4476', false, 18, 30),
  -- bakeries (no table bookings)
  ('lis-pasteis-dourados-belem', 'Pastéis Dourados de Belém', 'bakery',
   'Custard tarts from the oven every few minutes, with cinnamon and icing sugar.',
   '{pastel de nata,custard tarts,bakery,pastries,takeaway,belem}',
   'Rua de Belém 72, 1300-085 Lisboa', 'Lisbon', 38.69750, -9.20300, 'Europe/Lisbon',
   1, 4.6, 5200, '+351 21 363 7741', false, 1, 30),
  ('lis-padaria-do-bairro', 'Padaria do Bairro', 'bakery',
   'Sourdough, broa de milho and pão de Mafra baked overnight.',
   '{bread,sourdough,broa,bakery,organic,campo de ourique}',
   'Rua Tomás da Anunciação 47, 1350-325 Lisboa', 'Lisbon', 38.71900, -9.16350, 'Europe/Lisbon',
   1, 4.5, 890, '+351 21 396 0883', false, 1, 30),
  ('lis-forno-da-mouraria', 'Forno da Mouraria', 'bakery',
   'Wood-fired bakery: bolo do caco, pão com chouriço and savoury pastries.',
   '{bread,wood oven,pao com chourico,savoury pastries,takeaway,mouraria}',
   'Rua da Mouraria 24, 1100-341 Lisboa', 'Lisbon', 38.71500, -9.13620, 'Europe/Lisbon',
   1, 4.2, 340, '+351 21 887 5560', false, 1, 30),
  ('lis-confeitaria-alvalade', 'Confeitaria Alvalade', 'bakery',
   'Classic confeitaria with birthday cakes to order, bolas de Berlim and pão de ló.',
   '{cakes,birthday cakes,pastries,pao de lo,custom orders,alvalade}',
   'Avenida da Igreja 19, 1700-230 Lisboa', 'Lisbon', 38.75300, -9.14250, 'Europe/Lisbon',
   1, 4.4, 1020, '+351 21 848 3391', false, 1, 30),
  -- bars
  ('lis-bar-da-atalaia', 'Bar da Atalaia', 'bar',
   'Busy Bairro Alto bar: caipirinhas, cheap imperiais and the street as the dance floor.',
   '{bar,cocktails,beer,nightlife,late,bairro alto}',
   'Rua da Atalaia 115, 1200-042 Lisboa', 'Lisbon', 38.71270, -9.14470, 'Europe/Lisbon',
   1, 4.2, 970, '+351 21 346 8844', false, 30, 60),
  ('lis-terraco-santa-luzia', 'Terraço Santa Luzia', 'bar',
   'Rooftop terrace over Alfama''s roofs and the river, cocktails and petiscos.',
   '{rooftop,terrace,cocktails,views,sunset,alfama}',
   'Largo de Santa Luzia 6, 1100-487 Lisboa', 'Lisbon', 38.71180, -9.13030, 'Europe/Lisbon',
   3, 4.5, 1460, '+351 21 887 2190', true, 24, 60),
  ('lis-vinhos-do-chiado', 'Vinhos do Chiado', 'bar',
   'Wine bar with 40 Portuguese wines by the glass, cheese and charcuterie boards.',
   '{wine bar,portuguese wine,quiet,cheese,charcuterie,date night,chiado}',
   'Rua Serpa Pinto 8, 1200-445 Lisboa', 'Lisbon', 38.70950, -9.14160, 'Europe/Lisbon',
   2, 4.6, 720, '+351 21 342 6615', true, 20, 60),
  ('lis-cervejaria-das-docas', 'Cervejaria das Docas', 'bar',
   'Craft beer hall in the LX Factory: 20 taps of Portuguese brewers.',
   '{craft beer,brewery,taps,groups,lx factory,alcantara}',
   'Rua Rodrigues de Faria 103, 1300-501 Lisboa', 'Lisbon', 38.70350, -9.17890, 'Europe/Lisbon',
   2, 4.3, 880, '+351 21 362 1137', true, 40, 60),
  ('lis-tasca-do-fado-vadio', 'Tasca do Fado Vadio', 'bar',
   'Amateur fado every night in a stone-walled room; ginjinha and petiscos.',
   '{fado,live music,ginjinha,petiscos,night,alfama}',
   'Rua de São Miguel 29, 1100-544 Lisboa', 'Lisbon', 38.71160, -9.12960, 'Europe/Lisbon',
   2, 4.7, 530, '+351 21 886 3029', true, 28, 60),
  -- salons
  ('lis-lisboa-bela-cabeleireiros', 'Lisboa Bela Cabeleireiros', 'salon',
   'Hair salon for cuts, colour and treatments near Saldanha.',
   '{hair salon,haircut,colour,highlights,blow dry,saldanha}',
   'Rua Tomás Ribeiro 45, 1050-226 Lisboa', 'Lisbon', 38.73300, -9.14750, 'Europe/Lisbon',
   2, 4.6, 410, '+351 21 354 2280', true, 5, 30),
  ('lis-studio-cabelo-chiado', 'Studio Cabelo Chiado', 'salon',
   'Colour specialists: balayage, keratin and bridal styling.',
   '{hair salon,balayage,keratin,bridal,colour,chiado}',
   'Rua Nova do Almada 62, 1200-290 Lisboa', 'Lisbon', 38.71060, -9.13980, 'Europe/Lisbon',
   3, 4.8, 265, '+351 21 347 1903', true, 4, 30),
  ('lis-salao-da-graca', 'Salão da Graça', 'salon',
   'Neighbourhood salon: cuts, sets, manicure and eyebrow threading.',
   '{hair salon,haircut,manicure,eyebrows,affordable,graca}',
   'Rua da Graça 110, 1170-169 Lisboa', 'Lisbon', 38.71850, -9.13050, 'Europe/Lisbon',
   1, 4.3, 150, '+351 21 886 7415', true, 3, 30),
  ('lis-unhas-e-cor-oriente', 'Unhas & Cor Oriente', 'salon',
   'Nail studio: gel, acrylic, nail art and pedicure.',
   '{nails,manicure,pedicure,gel nails,nail art,parque das nacoes}',
   'Avenida Dom João II 40, 1990-095 Lisboa', 'Lisbon', 38.76400, -9.09700, 'Europe/Lisbon',
   2, 4.4, 320, '+351 21 895 6602', true, 4, 30),
  -- barbers
  ('lis-barbearia-do-cais', 'Barbearia do Cais', 'barber',
   'Barbershop with hot-towel shaves, fades and a beer while you wait.',
   '{barber,fade,beard,hot towel shave,men,cais do sodre}',
   'Rua de São Paulo 140, 1200-429 Lisboa', 'Lisbon', 38.70750, -9.14550, 'Europe/Lisbon',
   2, 4.7, 690, '+351 21 346 0571', true, 3, 30),
  ('lis-barbearia-ourique', 'Barbearia Ourique', 'barber',
   'Classic cuts for men and boys in Campo de Ourique.',
   '{barber,haircut,kids haircut,beard,men,campo de ourique}',
   'Rua Coelho da Rocha 60, 1350-073 Lisboa', 'Lisbon', 38.71600, -9.16650, 'Europe/Lisbon',
   2, 4.5, 380, '+351 21 390 8826', true, 2, 30),
  ('lis-navalha-antiga', 'Navalha Antiga', 'barber',
   'Straight-razor barbershop in the Baixa, open since 1932.',
   '{barber,straight razor,shave,beard,historic,baixa}',
   'Rua dos Correeiros 112, 1100-166 Lisboa', 'Lisbon', 38.70980, -9.13720, 'Europe/Lisbon',
   3, 4.6, 505, '+351 21 342 9903', true, 3, 30),
  -- spas
  ('lis-agua-do-tejo-spa', 'Água do Tejo Spa', 'spa',
   'Day spa by the river: massages, hammam and couple rituals.',
   '{spa,massage,hammam,couples,relax,wellness,belem}',
   'Rua Bartolomeu Dias 120, 1400-031 Lisboa', 'Lisbon', 38.69500, -9.21200, 'Europe/Lisbon',
   4, 4.7, 340, '+351 21 301 4480', true, 4, 60),
  ('lis-jardim-zen-spa', 'Jardim Zen Spa', 'spa',
   'Small spa for massages and facials in a Príncipe Real townhouse.',
   '{spa,massage,facial,shiatsu,relax,principe real}',
   'Rua Dom Pedro V 30, 1250-094 Lisboa', 'Lisbon', 38.71500, -9.14650, 'Europe/Lisbon',
   3, 4.5, 210, '+351 21 343 0157', true, 3, 60),
  -- clinics
  ('lis-clinica-das-avenidas', 'Clínica das Avenidas', 'clinic',
   'Physiotherapy, sports medicine and general practice appointments.',
   '{clinic,physiotherapy,sports medicine,general practice,doctor,avenidas novas}',
   'Avenida da República 62, 1050-197 Lisboa', 'Lisbon', 38.74400, -9.14650, 'Europe/Lisbon',
   3, 4.4, 290, '+351 21 799 3300', true, 3, 20),
  ('lis-clinica-estrela', 'Clínica Estrela Fisioterapia', 'clinic',
   'Physiotherapy and osteopathy near the Estrela garden.',
   '{clinic,physiotherapy,osteopathy,back pain,rehabilitation,estrela}',
   'Rua de São Bento 300, 1250-221 Lisboa', 'Lisbon', 38.71300, -9.15400, 'Europe/Lisbon',
   2, 4.6, 180, '+351 21 396 7721', true, 2, 30),
  -- dentists
  ('lis-sorriso-da-baixa', 'Sorriso da Baixa Clínica Dentária', 'dentist',
   'Dental clinic: check-ups, hygiene, whitening and urgent appointments.',
   '{dentist,dental clinic,whitening,hygiene,urgent,baixa}',
   'Rua Augusta 210, 1100-056 Lisboa', 'Lisbon', 38.71150, -9.13750, 'Europe/Lisbon',
   3, 4.5, 260, '+351 21 346 5512', true, 2, 30),
  ('lis-dentaria-do-oriente', 'Clínica Dentária do Oriente', 'dentist',
   'Family dentistry and orthodontics in Parque das Nações.',
   '{dentist,orthodontics,kids dentist,implants,family,parque das nacoes}',
   'Rua do Polo Norte 4, 1990-266 Lisboa', 'Lisbon', 38.77200, -9.09500, 'Europe/Lisbon',
   3, 4.3, 190, '+351 21 894 7730', true, 2, 30),
  -- gyms
  ('lis-alcantara-fit', 'Alcântara Fit', 'gym',
   'Open 24 hours: free weights, machines and group classes.',
   '{gym,24h,weights,classes,fitness,alcantara}',
   'Rua Fradesso da Silveira 4, 1300-609 Lisboa', 'Lisbon', 38.70600, -9.17700, 'Europe/Lisbon',
   2, 4.2, 520, '+351 21 361 0094', true, 20, 60),
  ('lis-estudio-pilates-estrela', 'Estúdio Pilates Estrela', 'gym',
   'Reformer pilates and yoga in small classes.',
   '{pilates,reformer,yoga,small classes,estrela,campo de ourique}',
   'Rua Domingos Sequeira 50, 1350-119 Lisboa', 'Lisbon', 38.71650, -9.16100, 'Europe/Lisbon',
   3, 4.8, 145, '+351 21 395 2268', true, 8, 60),
  ('lis-arroios-boxe', 'Arroios Boxe & Treino', 'gym',
   'Boxing and functional training, beginners welcome.',
   '{boxing,functional training,hiit,personal training,beginners,arroios}',
   'Rua de Arroios 70, 1150-055 Lisboa', 'Lisbon', 38.72750, -9.13500, 'Europe/Lisbon',
   1, 4.4, 230, '+351 21 357 4410', true, 12, 60)
on conflict (id) do update set
  name = excluded.name, category = excluded.category, description = excluded.description,
  keywords = excluded.keywords, address = excluded.address, city = excluded.city,
  lat = excluded.lat, lon = excluded.lon, timezone = excluded.timezone,
  price_level = excluded.price_level, rating = excluded.rating, review_count = excluded.review_count,
  phone = excluded.phone, capacity_per_slot = excluded.capacity_per_slot, slot_minutes = excluded.slot_minutes;

-- ---------------------------------------------------------------------------
-- opening hours: a few weekly patterns, one per business. Weekday 1 = Monday.
-- An interval with closes < opens (or closing at 00:00) ends the next day.

insert into opening_hours (business_id, weekday, opens, closes)
select p.business_id, d.weekday, t.opens, t.closes
from (values
  ('lis-taberna-do-largo',          'lunch_dinner_tue_sun'),
  ('lis-casa-do-bacalhau-da-se',    'lunch_dinner_mon_sat'),
  ('lis-marisqueira-do-cais',       'all_day_kitchen'),
  ('lis-tasca-da-rosa',             'late_tasca'),
  ('lis-jardim-das-ervas',          'lunch_dinner_tue_sun'),
  ('lis-sal-e-brasa-belem',         'all_day_kitchen'),
  ('lis-fumeiro-da-doca',           'all_day_kitchen'),
  ('lis-oceano-mar-e-terra',        'lunch_dinner_mon_sat'),
  ('lis-cozinha-da-avo-lurdes',     'lunch_dinner_mon_sat'),
  ('lis-sushi-do-tejo',             'lunch_dinner_tue_sun'),
  ('lis-cantinho-de-goa',           'all_day_kitchen'),
  ('lis-cafe-garrett',              'cafe_daily'),
  ('lis-cafe-do-miradouro',         'cafe_daily'),
  ('lis-torra-cafe',                'cafe_mon_sat'),
  ('lis-cafe-da-junqueira',         'cafe_mon_sat'),
  ('lis-brunch-das-avenidas',       'cafe_daily'),
  ('lis-cafe-estacao-oriente',      'cafe_daily'),
  ('lis-pasteis-dourados-belem',    'bakery_daily'),
  ('lis-padaria-do-bairro',         'bakery_sunday_morning'),
  ('lis-forno-da-mouraria',         'bakery_sunday_morning'),
  ('lis-confeitaria-alvalade',      'bakery_daily'),
  ('lis-bar-da-atalaia',            'bar_night'),
  ('lis-terraco-santa-luzia',       'bar_afternoon'),
  ('lis-vinhos-do-chiado',          'bar_afternoon'),
  ('lis-cervejaria-das-docas',      'bar_afternoon'),
  ('lis-tasca-do-fado-vadio',       'bar_night'),
  ('lis-lisboa-bela-cabeleireiros', 'salon'),
  ('lis-studio-cabelo-chiado',      'salon'),
  ('lis-salao-da-graca',            'salon'),
  ('lis-unhas-e-cor-oriente',       'shopping_centre'),
  ('lis-barbearia-do-cais',         'barber'),
  ('lis-barbearia-ourique',         'barber'),
  ('lis-navalha-antiga',            'barber'),
  ('lis-agua-do-tejo-spa',          'spa'),
  ('lis-jardim-zen-spa',            'spa'),
  ('lis-clinica-das-avenidas',      'clinic'),
  ('lis-clinica-estrela',           'clinic'),
  ('lis-sorriso-da-baixa',          'dentist'),
  ('lis-dentaria-do-oriente',       'dentist'),
  ('lis-alcantara-fit',             'open_24h'),
  ('lis-estudio-pilates-estrela',   'gym'),
  ('lis-arroios-boxe',              'gym')
) as p (business_id, pattern)
join (values
  -- pattern,                first, last, opens,          closes
  ('lunch_dinner_tue_sun',   2, 7, time '12:00', time '15:00'),
  ('lunch_dinner_tue_sun',   2, 7, time '19:00', time '23:00'),
  ('lunch_dinner_mon_sat',   1, 6, time '12:00', time '15:30'),
  ('lunch_dinner_mon_sat',   1, 6, time '19:30', time '23:30'),
  ('all_day_kitchen',        1, 7, time '12:00', time '23:00'),
  ('late_tasca',             2, 4, time '19:00', time '00:00'),   -- until midnight
  ('late_tasca',             5, 6, time '19:00', time '02:00'),   -- Fri, Sat until 2 am
  ('cafe_daily',             1, 5, time '07:30', time '19:00'),
  ('cafe_daily',             6, 7, time '08:30', time '19:00'),
  ('cafe_mon_sat',           1, 6, time '08:00', time '20:00'),
  ('bakery_daily',           1, 7, time '07:00', time '21:00'),
  ('bakery_sunday_morning',  1, 6, time '06:30', time '20:00'),
  ('bakery_sunday_morning',  7, 7, time '07:00', time '14:00'),
  ('bar_night',              1, 4, time '18:00', time '02:00'),
  ('bar_night',              5, 6, time '18:00', time '03:00'),
  ('bar_afternoon',          2, 7, time '16:00', time '01:00'),
  ('salon',                  2, 5, time '09:30', time '19:30'),
  ('salon',                  6, 6, time '09:00', time '18:00'),
  ('shopping_centre',        1, 7, time '10:00', time '23:00'),
  ('barber',                 1, 5, time '10:00', time '20:00'),
  ('barber',                 6, 6, time '10:00', time '17:00'),
  ('spa',                    1, 7, time '10:00', time '21:00'),
  ('clinic',                 1, 5, time '08:30', time '20:00'),
  ('clinic',                 6, 6, time '09:00', time '13:00'),
  ('dentist',                1, 5, time '09:00', time '13:00'),
  ('dentist',                1, 5, time '14:30', time '19:00'),
  ('open_24h',               1, 7, time '00:00', time '24:00'),
  ('gym',                    1, 5, time '06:30', time '22:00'),
  ('gym',                    6, 7, time '08:00', time '20:00')
) as t (pattern, first_day, last_day, opens, closes) on t.pattern = p.pattern
cross join lateral generate_series(t.first_day, t.last_day) as d (weekday)
where not exists (select 1 from opening_hours h where h.business_id = p.business_id)
on conflict do nothing;

-- ---------------------------------------------------------------------------
-- offerings: menu items (kind menu_item) and services (kind service, with a duration)

insert into offerings (business_id, kind, name, description, price_cents, currency, duration_minutes, tags)
select o.business_id, o.kind, o.name, o.description, o.price_cents, 'EUR', o.duration_minutes, o.tags::text[]
from (values
  ('lis-taberna-do-largo', 'menu_item', 'Pica-pau', 'Beef strips in beer and garlic sauce with pickles', 950, null, '{petisco,meat}'),
  ('lis-taberna-do-largo', 'menu_item', 'Amêijoas à Bulhão Pato', 'Clams with garlic, coriander and white wine', 1400, null, '{petisco,seafood}'),
  ('lis-taberna-do-largo', 'menu_item', 'Sardinhas assadas', 'Grilled sardines with roasted peppers and potatoes', 1300, null, '{fish,grill,seasonal}'),
  ('lis-taberna-do-largo', 'menu_item', 'Bacalhau à Brás', 'Shredded cod with straw potatoes, egg and olives', 1450, null, '{fish,classic}'),
  ('lis-taberna-do-largo', 'menu_item', 'Arroz doce', 'Lemon and cinnamon rice pudding', 450, null, '{dessert,vegetarian}'),
  ('lis-casa-do-bacalhau-da-se', 'menu_item', 'Bacalhau com natas', 'Baked cod with cream and potatoes', 1500, null, '{fish,classic}'),
  ('lis-casa-do-bacalhau-da-se', 'menu_item', 'Pastéis de bacalhau', 'Six cod fritters', 750, null, '{petisco,fish}'),
  ('lis-casa-do-bacalhau-da-se', 'menu_item', 'Bacalhau à lagareiro', 'Roasted cod loin with olive oil and punched potatoes', 1900, null, '{fish,signature}'),
  ('lis-casa-do-bacalhau-da-se', 'menu_item', 'Caldo verde', 'Kale and potato soup with chouriço', 400, null, '{soup}'),
  ('lis-marisqueira-do-cais', 'menu_item', 'Arroz de marisco (2 pessoas)', 'Seafood rice for two', 5800, null, '{seafood,sharing,signature}'),
  ('lis-marisqueira-do-cais', 'menu_item', 'Gambas à guilho', 'Prawns in garlic, chilli and olive oil', 1650, null, '{seafood,spicy}'),
  ('lis-marisqueira-do-cais', 'menu_item', 'Sapateira recheada', 'Stuffed brown crab', 2900, null, '{seafood}'),
  ('lis-marisqueira-do-cais', 'menu_item', 'Prego no pão', 'Steak sandwich to finish, as tradition says', 850, null, '{meat,sandwich}'),
  ('lis-marisqueira-do-cais', 'menu_item', 'Vinho verde (garrafa)', 'Bottle of Alvarinho', 2400, null, '{wine}'),
  ('lis-tasca-da-rosa', 'menu_item', 'Bifana', 'Marinated pork sandwich', 450, null, '{meat,sandwich,cheap}'),
  ('lis-tasca-da-rosa', 'menu_item', 'Caldo verde', 'Kale soup with chouriço', 350, null, '{soup}'),
  ('lis-tasca-da-rosa', 'menu_item', 'Chouriço assado', 'Flame-grilled chouriço at the table', 700, null, '{petisco,meat}'),
  ('lis-tasca-da-rosa', 'menu_item', 'Jarro de vinho da casa', 'Half-litre jug of house red', 600, null, '{wine}'),
  ('lis-jardim-das-ervas', 'menu_item', 'Risotto de cogumelos', 'Wild mushroom risotto', 1450, null, '{vegetarian,gluten free}'),
  ('lis-jardim-das-ervas', 'menu_item', 'Bowl da horta', 'Quinoa, roasted vegetables, hummus and seeds', 1200, null, '{vegan,gluten free,healthy}'),
  ('lis-jardim-das-ervas', 'menu_item', 'Caril de grão', 'Chickpea and spinach curry with rice', 1300, null, '{vegan}'),
  ('lis-jardim-das-ervas', 'menu_item', 'Bolo de alfarroba', 'Carob cake, vegan', 550, null, '{vegan,dessert}'),
  ('lis-sal-e-brasa-belem', 'menu_item', 'Picanha na brasa', 'Charcoal-grilled picanha with rice, beans and chips', 1850, null, '{meat,grill,signature}'),
  ('lis-sal-e-brasa-belem', 'menu_item', 'Frango piri-piri', 'Half chicken with piri-piri', 1150, null, '{meat,grill,spicy}'),
  ('lis-sal-e-brasa-belem', 'menu_item', 'Sardinhas na brasa', 'Grilled sardines, seasonal', 1250, null, '{fish,grill,seasonal}'),
  ('lis-sal-e-brasa-belem', 'menu_item', 'Menu criança', 'Grilled chicken, chips and juice', 800, null, '{kids}'),
  ('lis-fumeiro-da-doca', 'menu_item', 'Costeleta fumada', 'Twelve-hour smoked pork ribs', 2200, null, '{meat,smoked,signature}'),
  ('lis-fumeiro-da-doca', 'menu_item', 'Peito de novilho', 'Smoked beef brisket with pickles', 2400, null, '{meat,smoked}'),
  ('lis-fumeiro-da-doca', 'menu_item', 'Tábua para partilhar', 'Sharing board for four', 6800, null, '{sharing,groups}'),
  ('lis-fumeiro-da-doca', 'menu_item', 'Couve-flor fumada', 'Smoked cauliflower with tahini', 1400, null, '{vegetarian}'),
  ('lis-oceano-mar-e-terra', 'menu_item', 'Menu de degustação', 'Seven courses of the season', 7500, null, '{tasting menu,signature}'),
  ('lis-oceano-mar-e-terra', 'menu_item', 'Polvo à lagareiro', 'Roasted octopus with olive oil', 2600, null, '{seafood}'),
  ('lis-oceano-mar-e-terra', 'menu_item', 'Menu executivo', 'Starter, main and coffee at lunch on weekdays', 1900, null, '{business lunch}'),
  ('lis-cozinha-da-avo-lurdes', 'menu_item', 'Prato do dia', 'The dish of the day with soup and drink', 900, null, '{daily,cheap}'),
  ('lis-cozinha-da-avo-lurdes', 'menu_item', 'Cozido à portuguesa', 'Portuguese boiled dinner, Thursdays only', 1400, null, '{meat,classic}'),
  ('lis-cozinha-da-avo-lurdes', 'menu_item', 'Feijoada', 'Bean and pork stew', 1200, null, '{meat,classic}'),
  ('lis-cozinha-da-avo-lurdes', 'menu_item', 'Pudim flan', 'Caramel custard', 350, null, '{dessert}'),
  ('lis-sushi-do-tejo', 'menu_item', 'Omakase do balcão', 'Chef''s choice, 14 pieces at the counter', 6500, null, '{omakase,signature}'),
  ('lis-sushi-do-tejo', 'menu_item', 'Nigiri de carabineiro', 'Scarlet prawn nigiri, two pieces', 1200, null, '{sushi,seafood}'),
  ('lis-sushi-do-tejo', 'menu_item', 'Combinado 24 peças', '24-piece mixed platter', 3200, null, '{sushi,sharing}'),
  ('lis-sushi-do-tejo', 'menu_item', 'Uramaki de cavala', 'Mackerel uramaki with shiso', 1100, null, '{sushi,fish}'),
  ('lis-cantinho-de-goa', 'menu_item', 'Caril xacuti de galinha', 'Goan chicken xacuti with rice', 1100, null, '{curry,spicy}'),
  ('lis-cantinho-de-goa', 'menu_item', 'Vindalho de porco', 'Pork vindaloo, Goan style', 1150, null, '{curry,spicy,meat}'),
  ('lis-cantinho-de-goa', 'menu_item', 'Chamuças (4)', 'Four vegetable samosas', 500, null, '{vegetarian,starter}'),
  ('lis-cantinho-de-goa', 'menu_item', 'Dal tadka', 'Yellow lentils with cumin and garlic', 850, null, '{vegan}'),
  ('lis-cafe-garrett', 'menu_item', 'Bica', 'Espresso, the Lisbon way', 120, null, '{coffee}'),
  ('lis-cafe-garrett', 'menu_item', 'Pastel de nata', 'Custard tart', 150, null, '{pastry}'),
  ('lis-cafe-garrett', 'menu_item', 'Tosta mista', 'Toasted ham and cheese sandwich', 450, null, '{sandwich}'),
  ('lis-cafe-garrett', 'menu_item', 'Galão', 'Milky coffee in a glass', 220, null, '{coffee}'),
  ('lis-cafe-do-miradouro', 'menu_item', 'Galão', 'Milky coffee in a glass', 200, null, '{coffee}'),
  ('lis-cafe-do-miradouro', 'menu_item', 'Tosta de queijo da serra', 'Toast with mountain cheese', 650, null, '{sandwich,vegetarian}'),
  ('lis-cafe-do-miradouro', 'menu_item', 'Imperial', 'Small draught beer', 250, null, '{beer}'),
  ('lis-torra-cafe', 'menu_item', 'Espresso de especialidade', 'Single origin, rotating', 200, null, '{coffee,specialty}'),
  ('lis-torra-cafe', 'menu_item', 'Filtro V60', 'Hand-brewed filter coffee', 400, null, '{coffee,specialty}'),
  ('lis-torra-cafe', 'menu_item', 'Flat white', 'Double ristretto with steamed milk', 350, null, '{coffee}'),
  ('lis-torra-cafe', 'product', 'Café em grão 250 g', 'Beans roasted this week', 1400, null, '{beans,retail}'),
  ('lis-cafe-da-junqueira', 'menu_item', 'Sopa do dia', 'Soup of the day', 250, null, '{soup,vegetarian}'),
  ('lis-cafe-da-junqueira', 'menu_item', 'Sandes de panado', 'Breaded pork sandwich', 400, null, '{sandwich,meat}'),
  ('lis-cafe-da-junqueira', 'menu_item', 'Meia de leite', 'Coffee with milk in a cup', 150, null, '{coffee}'),
  ('lis-brunch-das-avenidas', 'menu_item', 'Ovos Benedict', 'Poached eggs, ham, hollandaise on muffin', 1100, null, '{brunch,eggs}'),
  ('lis-brunch-das-avenidas', 'menu_item', 'Panquecas com frutos vermelhos', 'Pancakes with berries and maple syrup', 900, null, '{brunch,vegetarian}'),
  ('lis-brunch-das-avenidas', 'menu_item', 'Açaí bowl', 'Açaí with granola and banana', 850, null, '{vegan,healthy}'),
  ('lis-brunch-das-avenidas', 'menu_item', 'Sumo natural de laranja', 'Fresh orange juice', 350, null, '{juice}'),
  ('lis-brunch-das-avenidas', 'menu_item', 'Brunch completo', 'Eggs, toast, yoghurt, juice and coffee', 1650, null, '{brunch,signature}'),
  ('lis-cafe-estacao-oriente', 'menu_item', 'Croissant misto', 'Ham and cheese croissant', 350, null, '{pastry}'),
  ('lis-cafe-estacao-oriente', 'menu_item', 'Bica', 'Espresso', 110, null, '{coffee}'),
  ('lis-cafe-estacao-oriente', 'menu_item', 'Pão de deus', 'Coconut-topped sweet bun', 180, null, '{pastry}'),
  ('lis-pasteis-dourados-belem', 'product', 'Pastel de nata', 'Warm custard tart', 140, null, '{pastry,signature}'),
  ('lis-pasteis-dourados-belem', 'product', 'Caixa de 6 pastéis', 'Box of six custard tarts', 800, null, '{pastry,takeaway}'),
  ('lis-pasteis-dourados-belem', 'product', 'Travesseiro de Sintra', 'Puff pastry with almond and egg cream', 220, null, '{pastry}'),
  ('lis-pasteis-dourados-belem', 'menu_item', 'Bica', 'Espresso', 100, null, '{coffee}'),
  ('lis-padaria-do-bairro', 'product', 'Pão de massa mãe', 'Sourdough loaf, 800 g', 450, null, '{bread,sourdough}'),
  ('lis-padaria-do-bairro', 'product', 'Broa de milho', 'Corn bread', 300, null, '{bread}'),
  ('lis-padaria-do-bairro', 'product', 'Pão de Mafra', 'Mafra-style loaf', 280, null, '{bread}'),
  ('lis-padaria-do-bairro', 'product', 'Bolo de arroz', 'Rice flour muffin', 130, null, '{pastry}'),
  ('lis-forno-da-mouraria', 'product', 'Pão com chouriço', 'Bread baked with chouriço', 250, null, '{bread,meat}'),
  ('lis-forno-da-mouraria', 'product', 'Bolo do caco', 'Madeiran flatbread with garlic butter', 300, null, '{bread}'),
  ('lis-forno-da-mouraria', 'product', 'Empada de galinha', 'Chicken pie', 220, null, '{savoury}'),
  ('lis-confeitaria-alvalade', 'product', 'Bola de Berlim', 'Doughnut with egg cream', 160, null, '{pastry}'),
  ('lis-confeitaria-alvalade', 'product', 'Pão de ló de Ovar', 'Soft sponge cake, whole', 1800, null, '{cake}'),
  ('lis-confeitaria-alvalade', 'product', 'Bolo de aniversário (1 kg)', 'Birthday cake to order, 48 h notice', 3200, null, '{cake,custom order}'),
  ('lis-confeitaria-alvalade', 'product', 'Queijada', 'Cheese tart', 140, null, '{pastry}'),
  ('lis-bar-da-atalaia', 'menu_item', 'Caipirinha', 'Cachaça, lime and sugar', 500, null, '{cocktail}'),
  ('lis-bar-da-atalaia', 'menu_item', 'Imperial', 'Small draught beer', 200, null, '{beer}'),
  ('lis-bar-da-atalaia', 'menu_item', 'Mojito', 'Rum, mint, lime and soda', 600, null, '{cocktail}'),
  ('lis-terraco-santa-luzia', 'menu_item', 'Porto tónico', 'White port and tonic', 900, null, '{cocktail,port}'),
  ('lis-terraco-santa-luzia', 'menu_item', 'Espumante (copo)', 'Glass of Bairrada sparkling', 800, null, '{wine}'),
  ('lis-terraco-santa-luzia', 'menu_item', 'Tábua de queijos', 'Portuguese cheese board', 1600, null, '{petisco,sharing}'),
  ('lis-terraco-santa-luzia', 'menu_item', 'Gin do Tejo', 'House gin and tonic', 1100, null, '{cocktail}'),
  ('lis-vinhos-do-chiado', 'menu_item', 'Prova de 3 vinhos', 'Three wines of one region', 1500, null, '{wine,tasting}'),
  ('lis-vinhos-do-chiado', 'menu_item', 'Copo de Douro tinto', 'Glass of Douro red', 650, null, '{wine}'),
  ('lis-vinhos-do-chiado', 'menu_item', 'Tábua mista', 'Cheese and charcuterie board', 1800, null, '{sharing}'),
  ('lis-vinhos-do-chiado', 'product', 'Garrafa para levar', 'Any wine of the list to take away, from', 1200, null, '{wine,retail}'),
  ('lis-cervejaria-das-docas', 'menu_item', 'Pint IPA da casa', 'House IPA, 50 cl', 550, null, '{beer,craft}'),
  ('lis-cervejaria-das-docas', 'menu_item', 'Prova de 4 cervejas', 'Four small craft beers', 1000, null, '{beer,tasting}'),
  ('lis-cervejaria-das-docas', 'menu_item', 'Prego do cervejeiro', 'Steak sandwich with mustard', 950, null, '{meat,sandwich}'),
  ('lis-tasca-do-fado-vadio', 'menu_item', 'Ginjinha', 'Sour cherry liqueur, with or without cherry', 250, null, '{liqueur}'),
  ('lis-tasca-do-fado-vadio', 'menu_item', 'Couvert de fado', 'Cover charge on fado nights', 1000, null, '{fado}'),
  ('lis-tasca-do-fado-vadio', 'menu_item', 'Chouriço assado', 'Flame-grilled chouriço', 800, null, '{petisco}'),
  ('lis-tasca-do-fado-vadio', 'menu_item', 'Copo de vinho do Alentejo', 'Glass of Alentejo red', 450, null, '{wine}'),
  ('lis-lisboa-bela-cabeleireiros', 'service', 'Corte feminino', 'Wash, cut and finish', 3500, 60, '{haircut,women}'),
  ('lis-lisboa-bela-cabeleireiros', 'service', 'Coloração raiz', 'Root colour', 4500, 90, '{colour}'),
  ('lis-lisboa-bela-cabeleireiros', 'service', 'Madeixas', 'Highlights', 7000, 120, '{colour,highlights}'),
  ('lis-lisboa-bela-cabeleireiros', 'service', 'Brushing', 'Blow dry', 2000, 30, '{styling}'),
  ('lis-studio-cabelo-chiado', 'service', 'Corte e brushing', 'Cut with blow dry', 5500, 60, '{haircut,styling}'),
  ('lis-studio-cabelo-chiado', 'service', 'Balayage', 'Hand-painted highlights', 14000, 180, '{colour,balayage}'),
  ('lis-studio-cabelo-chiado', 'service', 'Tratamento de queratina', 'Keratin smoothing treatment', 12000, 150, '{treatment,keratin}'),
  ('lis-studio-cabelo-chiado', 'service', 'Penteado de noiva', 'Bridal styling with trial', 18000, 120, '{bridal,styling}'),
  ('lis-salao-da-graca', 'service', 'Corte', 'Cut and dry', 1500, 30, '{haircut}'),
  ('lis-salao-da-graca', 'service', 'Mise en plis', 'Classic set', 1800, 45, '{styling}'),
  ('lis-salao-da-graca', 'service', 'Manicure', 'Manicure with polish', 1200, 45, '{nails}'),
  ('lis-salao-da-graca', 'service', 'Design de sobrancelhas', 'Eyebrow threading', 800, 15, '{eyebrows}'),
  ('lis-unhas-e-cor-oriente', 'service', 'Manicure gel', 'Gel manicure', 2500, 60, '{nails,gel}'),
  ('lis-unhas-e-cor-oriente', 'service', 'Unhas de acrílico', 'Full set of acrylics', 4000, 90, '{nails,acrylic}'),
  ('lis-unhas-e-cor-oriente', 'service', 'Pedicure spa', 'Pedicure with scrub and massage', 3000, 60, '{pedicure}'),
  ('lis-unhas-e-cor-oriente', 'service', 'Nail art (por unha)', 'Design per nail', 300, 10, '{nails,art}'),
  ('lis-barbearia-do-cais', 'service', 'Corte clássico', 'Scissor or clipper cut', 1800, 30, '{haircut,men}'),
  ('lis-barbearia-do-cais', 'service', 'Fade', 'Skin fade with styling', 2200, 45, '{haircut,fade}'),
  ('lis-barbearia-do-cais', 'service', 'Barba com toalha quente', 'Beard trim and hot towel', 1500, 30, '{beard,shave}'),
  ('lis-barbearia-do-cais', 'service', 'Corte e barba', 'Cut and beard together', 3000, 60, '{haircut,beard}'),
  ('lis-barbearia-ourique', 'service', 'Corte homem', 'Men''s cut', 1500, 30, '{haircut,men}'),
  ('lis-barbearia-ourique', 'service', 'Corte criança', 'Kids under 12', 1000, 30, '{haircut,kids}'),
  ('lis-barbearia-ourique', 'service', 'Aparar barba', 'Beard trim', 1000, 15, '{beard}'),
  ('lis-navalha-antiga', 'service', 'Barbear à navalha', 'Straight razor shave with hot towels', 2500, 45, '{shave,signature}'),
  ('lis-navalha-antiga', 'service', 'Corte tradicional', 'Traditional cut', 2200, 30, '{haircut}'),
  ('lis-navalha-antiga', 'service', 'Ritual completo', 'Cut, shave and face massage', 5000, 90, '{haircut,shave,ritual}'),
  ('lis-agua-do-tejo-spa', 'service', 'Massagem relaxante', 'Full body relaxing massage', 7500, 60, '{massage}'),
  ('lis-agua-do-tejo-spa', 'service', 'Massagem de casal', 'Side-by-side massage for two', 15000, 60, '{massage,couples}'),
  ('lis-agua-do-tejo-spa', 'service', 'Ritual hammam', 'Steam, scrub and foam massage', 9500, 90, '{hammam,ritual}'),
  ('lis-agua-do-tejo-spa', 'service', 'Massagem de pedras quentes', 'Hot stone massage', 9000, 75, '{massage}'),
  ('lis-jardim-zen-spa', 'service', 'Shiatsu', 'Shiatsu on the futon', 6500, 60, '{massage,shiatsu}'),
  ('lis-jardim-zen-spa', 'service', 'Limpeza de pele', 'Deep cleansing facial', 6000, 60, '{facial}'),
  ('lis-jardim-zen-spa', 'service', 'Massagem de costas', 'Back and neck massage', 4000, 30, '{massage}'),
  ('lis-clinica-das-avenidas', 'service', 'Consulta de fisioterapia', 'Assessment and first treatment', 5000, 40, '{physiotherapy}'),
  ('lis-clinica-das-avenidas', 'service', 'Sessão de fisioterapia', 'Follow-up treatment', 3500, 40, '{physiotherapy}'),
  ('lis-clinica-das-avenidas', 'service', 'Consulta de medicina geral', 'General practice appointment', 6000, 20, '{doctor,general practice}'),
  ('lis-clinica-das-avenidas', 'service', 'Consulta de medicina desportiva', 'Sports medicine appointment', 7500, 40, '{doctor,sports}'),
  ('lis-clinica-estrela', 'service', 'Osteopatia', 'Osteopathy session', 5500, 60, '{osteopathy}'),
  ('lis-clinica-estrela', 'service', 'Fisioterapia', 'Physiotherapy session', 4000, 45, '{physiotherapy}'),
  ('lis-clinica-estrela', 'service', 'Drenagem linfática', 'Lymphatic drainage', 4500, 60, '{massage,therapy}'),
  ('lis-sorriso-da-baixa', 'service', 'Consulta de avaliação', 'Check-up with X-ray', 4000, 30, '{check-up}'),
  ('lis-sorriso-da-baixa', 'service', 'Higiene oral', 'Scaling and polishing', 5500, 45, '{hygiene}'),
  ('lis-sorriso-da-baixa', 'service', 'Branqueamento', 'In-clinic whitening', 25000, 90, '{whitening}'),
  ('lis-sorriso-da-baixa', 'service', 'Consulta urgente', 'Same-day urgent appointment', 6000, 30, '{urgent}'),
  ('lis-dentaria-do-oriente', 'service', 'Consulta infantil', 'Children''s check-up', 3500, 30, '{kids,check-up}'),
  ('lis-dentaria-do-oriente', 'service', 'Consulta de ortodontia', 'Orthodontic assessment', 5000, 45, '{orthodontics}'),
  ('lis-dentaria-do-oriente', 'service', 'Higiene oral', 'Scaling and polishing', 5000, 45, '{hygiene}'),
  ('lis-dentaria-do-oriente', 'service', 'Avaliação de implantes', 'Implant assessment with CT', 8000, 45, '{implants}'),
  ('lis-alcantara-fit', 'service', 'Aula experimental', 'Free trial class', 0, 60, '{trial,class}'),
  ('lis-alcantara-fit', 'product', 'Mensalidade', 'Monthly membership, 24 h access', 3500, null, '{membership}'),
  ('lis-alcantara-fit', 'service', 'Treino personalizado', 'Personal training session', 3500, 60, '{personal training}'),
  ('lis-estudio-pilates-estrela', 'service', 'Pilates reformer', 'Reformer class, max 8 people', 2500, 55, '{pilates,class}'),
  ('lis-estudio-pilates-estrela', 'service', 'Yoga vinyasa', 'Vinyasa flow class', 1500, 60, '{yoga,class}'),
  ('lis-estudio-pilates-estrela', 'service', 'Aula privada', 'Private reformer session', 6000, 55, '{pilates,private}'),
  ('lis-estudio-pilates-estrela', 'product', 'Pack 10 aulas', 'Ten reformer classes, valid 3 months', 22000, null, '{pack}'),
  ('lis-arroios-boxe', 'service', 'Aula de boxe', 'Boxing class, gloves provided', 1200, 60, '{boxing,class}'),
  ('lis-arroios-boxe', 'service', 'Treino funcional', 'Functional HIIT class', 1000, 45, '{hiit,class}'),
  ('lis-arroios-boxe', 'product', 'Mensalidade ilimitada', 'Unlimited classes per month', 4500, null, '{membership}')
) as o (business_id, kind, name, description, price_cents, duration_minutes, tags)
on conflict (business_id, name) do update set
  kind = excluded.kind, description = excluded.description, price_cents = excluded.price_cents,
  currency = excluded.currency, duration_minutes = excluded.duration_minutes, tags = excluded.tags;

-- ---------------------------------------------------------------------------
-- FAQs: every business answers parking, accessibility and payment; some a fourth
-- question of their own (pets, children, booking rules …).

with facts (business_id, parking, access, payment, extra_question, extra_answer, extra_keywords) as (values
  ('lis-taberna-do-largo', 'No parking in the square; the Campo das Cebolas car park is a 6-minute walk.', 'One step at the door; we have a portable ramp, but the toilet is downstairs.', 'Cards, MB Way and cash. No cheques.', 'Are dogs allowed?', 'Dogs are welcome on the terrace, not inside.', '{pets,dogs,terrace}'),
  ('lis-casa-do-bacalhau-da-se', 'Street parking is scarce; use the Chão do Loureiro car park, 5 minutes away.', 'Step-free entrance and an accessible toilet.', 'Cards, MB Way and cash.', 'Do you have options without fish?', 'Yes: pork alentejana, a vegetarian pasta and soups.', '{vegetarian,menu,meat}'),
  ('lis-marisqueira-do-cais', 'Car park under Praça Duque da Terceira, 3 minutes away; Cais do Sodré station across the road.', 'Ground floor is step-free; the toilets are accessible.', 'All cards, MB Way, cash.', 'How is shellfish priced?', 'By weight, at the market price shown on the board; ask before ordering.', '{prices,shellfish,weight}'),
  ('lis-tasca-da-rosa', 'Bairro Alto is closed to cars at night; take the Bica funicular or a taxi to Camões.', 'Two steps at the entrance and a small toilet: not wheelchair friendly, sorry.', 'Cash and MB Way only.', 'Can I book for a group?', 'Up to 8 people, Tuesday to Thursday only.', '{groups,booking}'),
  ('lis-jardim-das-ervas', 'Parking at Praça do Príncipe Real is limited; the 24 and 774 buses stop in front.', 'Step-free through the garden gate; accessible toilet.', 'Cards and MB Way; no cash.', 'Is everything vegan?', 'Everything is vegetarian and most dishes are vegan; allergens are marked on the menu.', '{vegan,allergens,gluten free}'),
  ('lis-sal-e-brasa-belem', 'Free parking along Avenida da Índia in the evenings; paid during the day.', 'Step-free, accessible toilet, high chairs available.', 'Cards, MB Way, cash.', 'Do you have a kids menu?', 'Yes, with grilled chicken, chips and a juice.', '{kids,children,menu}'),
  ('lis-fumeiro-da-doca', 'Paid car park at Doca de Santo Amaro, right outside.', 'Warehouse floor is step-free; accessible toilet.', 'Cards and MB Way.', 'Can you host a private event?', 'The mezzanine seats 30 for private events; ask at least a week ahead.', '{events,groups,private}'),
  ('lis-oceano-mar-e-terra', 'Parking in the Vasco da Gama shopping centre, 4 minutes away.', 'Lift and step-free access; accessible toilet.', 'All cards, MB Way, cash.', null, null, null),
  ('lis-cozinha-da-avo-lurdes', 'Street parking in Campo de Ourique is hard at lunch; the 28 tram stops nearby.', 'One small step at the entrance.', 'Cash and MB Way; cards above 10 euros.', 'Can I book at lunch?', 'Only for 4 or more; smaller tables are first come, first served.', '{booking,lunch}'),
  ('lis-sushi-do-tejo', 'Car park at Saldanha Residence, 5 minutes away; Saldanha metro at the corner.', 'Step-free; the counter has two lower seats.', 'Cards and MB Way.', 'Do you cater for allergies?', 'Tell us when booking; we can avoid shellfish and gluten with notice.', '{allergies,gluten,shellfish}'),
  ('lis-cantinho-de-goa', 'No parking; Martim Moniz metro is 2 minutes away.', 'Step-free entrance, small toilet upstairs.', 'Cash, cards and MB Way.', 'How spicy is the food?', 'We cook mild by default and make it hotter on request.', '{spicy,chilli}'),
  ('lis-cafe-garrett', 'Car park at Largo do Camões is 3 minutes away; Baixa-Chiado metro right below.', 'Step-free to the counter; the toilet is downstairs.', 'Cards, MB Way, cash.', 'Do you have wifi?', 'Yes, ask for the password at the counter.', '{wifi,internet}'),
  ('lis-cafe-do-miradouro', 'Very little parking at Graça; the 28 tram stops at Largo da Graça.', 'The viewpoint is reached by a slope; the kiosk has no toilet.', 'Cash and MB Way.', 'Are dogs allowed?', 'Yes, the terrace is open air and dogs are welcome.', '{pets,dogs}'),
  ('lis-torra-cafe', 'Street parking around the square; Rato metro 8 minutes away.', 'One step at the entrance.', 'Cards and MB Way; no cash.', 'Can I work from here?', 'Yes, on weekdays; there are sockets along the wall. Weekends are laptop-free.', '{wifi,laptop,work}'),
  ('lis-cafe-da-junqueira', 'Street parking on Rua da Junqueira.', 'Step-free.', 'Cash and MB Way.', null, null, null),
  ('lis-brunch-das-avenidas', 'Paid street parking; Saldanha car park 5 minutes away.', 'Step-free and accessible toilet.', 'Cards and MB Way.', 'Do you take bookings at weekends?', 'Weekend bookings until 11:00 only; later it is first come, first served.', '{booking,weekend,queue}'),
  ('lis-cafe-estacao-oriente', 'Parking in the Oriente station car park.', 'Step-free, accessible toilet in the station.', 'Cards, MB Way, cash.', null, null, null),
  ('lis-pasteis-dourados-belem', 'Paid parking along Rua de Belém; tram 15 stops at the door.', 'Step-free to the counter.', 'Cards, MB Way, cash.', 'Is there always a queue?', 'At weekends around noon, yes; the takeaway line moves fast.', '{queue,takeaway}'),
  ('lis-padaria-do-bairro', 'Street parking; the bakery has a bike rack.', 'Step-free.', 'Cards, MB Way, cash.', 'Can I reserve bread?', 'Yes, call the day before; orders are ready from 8 am.', '{orders,reserve,bread}'),
  ('lis-forno-da-mouraria', 'No parking; Martim Moniz metro is close.', 'Two steps at the door.', 'Cash and MB Way.', null, null, null),
  ('lis-confeitaria-alvalade', 'Street parking on Avenida da Igreja, paid on weekdays.', 'Step-free.', 'Cards, MB Way, cash.', 'How early do I order a birthday cake?', 'Two days ahead; we write the name for free.', '{cake,order,birthday}'),
  ('lis-bar-da-atalaia', 'Bairro Alto is closed to cars at night; taxis drop off at Camões.', 'Narrow entrance with a step: not wheelchair accessible.', 'Cash and MB Way.', 'Is there an age limit?', 'Over 18 only; bring ID.', '{age,id}'),
  ('lis-terraco-santa-luzia', 'Parking at Campo das Cebolas, 10 minutes downhill; the 28 tram stops at Santa Luzia.', 'Lift to the terrace; accessible toilet.', 'Cards and MB Way.', 'Can I book a sunset table?', 'Yes, book ahead; sunset tables are held for 15 minutes.', '{sunset,booking,terrace}'),
  ('lis-vinhos-do-chiado', 'Car park at Largo do Chiado is 2 minutes away.', 'Step-free.', 'Cards and MB Way.', null, null, null),
  ('lis-cervejaria-das-docas', 'LX Factory car park on Rua Rodrigues de Faria, paid.', 'Step-free, accessible toilet.', 'Cards and MB Way.', 'Are dogs allowed?', 'Yes, dogs are welcome inside and a water bowl is at the door.', '{pets,dogs}'),
  ('lis-tasca-do-fado-vadio', 'No parking in Alfama; take a taxi to Largo do Chafariz de Dentro.', 'Three steps down into the room: not wheelchair accessible.', 'Cash and MB Way.', 'Can we talk during the fado?', 'Silence is asked while someone sings; between sets the room is lively.', '{fado,etiquette}'),
  ('lis-lisboa-bela-cabeleireiros', 'Car park on Rua Tomás Ribeiro, 1 minute away.', 'Step-free, with a lift.', 'Cards, MB Way, cash.', 'What is your cancellation policy?', 'Please cancel at least 24 hours ahead; late cancellations may be charged 50%.', '{cancellation,policy}'),
  ('lis-studio-cabelo-chiado', 'Car park at Chiado, 3 minutes away.', 'First floor with a lift.', 'Cards and MB Way.', 'Do you offer a bridal trial?', 'Yes, a trial is included with bridal styling; book it 4 to 6 weeks before.', '{bridal,trial,wedding}'),
  ('lis-salao-da-graca', 'Street parking on Rua da Graça, hard on weekdays.', 'One step at the door.', 'Cash and MB Way.', null, null, null),
  ('lis-unhas-e-cor-oriente', 'Free 3 hours in the shopping centre car park.', 'Step-free, in the shopping centre.', 'Cards and MB Way.', null, null, null),
  ('lis-barbearia-do-cais', 'Car park at Praça Duque da Terceira, 4 minutes away.', 'One step at the entrance.', 'Cards, MB Way, cash.', 'Do you take walk-ins?', 'Yes when a chair is free, but booked clients come first.', '{walk-in,booking}'),
  ('lis-barbearia-ourique', 'Street parking around the market.', 'Step-free.', 'Cash and MB Way.', 'Do you cut children''s hair?', 'Yes, for children of any age; under-12s pay the kids price.', '{kids,children}'),
  ('lis-navalha-antiga', 'Car park at Praça da Figueira, 3 minutes away.', 'Step-free.', 'Cards and cash.', null, null, null),
  ('lis-agua-do-tejo-spa', 'Free parking for spa guests; ask for a ticket at reception.', 'Step-free, accessible changing room.', 'Cards and MB Way; gift vouchers accepted.', 'What should I bring?', 'Just yourself: robe, slippers and towels are provided.', '{what to bring,robe}'),
  ('lis-jardim-zen-spa', 'Street parking is scarce; Rato metro 10 minutes away.', 'Treatment rooms are on the first floor, no lift.', 'Cards and MB Way.', null, null, null),
  ('lis-clinica-das-avenidas', 'Car park at Avenida da República 50, 2 minutes away.', 'Step-free with a lift; accessible toilet.', 'Cards, MB Way, cash; most health insurers accepted.', 'Do you accept health insurance?', 'Yes: Médis, Multicare and AdvanceCare; bring your card.', '{insurance,health plan}'),
  ('lis-clinica-estrela', 'Street parking near the Estrela garden.', 'Ground floor, step-free.', 'Cards, MB Way, cash.', 'Do I need a prescription?', 'No, you can book directly; bring any reports you have.', '{prescription,referral}'),
  ('lis-sorriso-da-baixa', 'Car park at Praça da Figueira, 4 minutes away.', 'First floor with a lift.', 'Cards, MB Way, cash; payment in instalments for treatments over 500 euros.', 'Do you see urgent cases?', 'Yes, we keep same-day slots for pain and broken teeth; call in the morning.', '{urgent,emergency,pain}'),
  ('lis-dentaria-do-oriente', 'Free parking in the building for patients.', 'Step-free with a lift.', 'Cards and MB Way; insurers accepted.', null, null, null),
  ('lis-alcantara-fit', 'Free parking for members in the building.', 'Step-free; accessible changing room.', 'Direct debit, cards and MB Way.', 'Is there a joining fee?', 'No joining fee; the first class is free.', '{joining fee,trial,membership}'),
  ('lis-estudio-pilates-estrela', 'Street parking on Rua Domingos Sequeira.', 'Step-free studio.', 'Cards and MB Way.', 'Do I need experience?', 'No, beginners start in the Monday and Wednesday classes.', '{beginners,experience}'),
  ('lis-arroios-boxe', 'No parking; Arroios metro 2 minutes away.', 'Basement gym, stairs only.', 'Cash and MB Way.', null, null, null)
),
questions (business_id, question, answer, keywords) as (
  select business_id, 'Is there parking nearby?', parking, '{parking,car,garage}'::text[] from facts
  union all
  select business_id, 'Is it wheelchair accessible?', access, '{accessibility,wheelchair,step-free,disabled}'::text[] from facts
  union all
  select business_id, 'How can I pay?', payment, '{payment,card,cash,mb way}'::text[] from facts
  union all
  select business_id, extra_question, extra_answer, extra_keywords::text[] from facts where extra_question is not null
)
insert into faqs (business_id, question, answer, keywords)
select business_id, question, answer, keywords from questions
on conflict (business_id, question) do update set answer = excluded.answer, keywords = excluded.keywords;

-- ---------------------------------------------------------------------------
-- staff: Ana owns three places, Bruno manages, Carla is staff, and so on

insert into members (business_id, user_id, role) values
  ('lis-taberna-do-largo',          'u-ana',    'owner'),
  ('lis-taberna-do-largo',          'u-bruno',  'manager'),
  ('lis-taberna-do-largo',          'u-carla',  'staff'),
  ('lis-cafe-garrett',              'u-ana',    'owner'),
  ('lis-cafe-garrett',              'u-carla',  'staff'),
  ('lis-barbearia-do-cais',         'u-ana',    'owner'),
  ('lis-marisqueira-do-cais',       'u-joao',   'owner'),
  ('lis-marisqueira-do-cais',       'u-bruno',  'manager'),
  ('lis-terraco-santa-luzia',       'u-joao',   'owner'),
  ('lis-studio-cabelo-chiado',      'u-marta',  'owner'),
  ('lis-studio-cabelo-chiado',      'u-bruno',  'manager'),
  ('lis-studio-cabelo-chiado',      'u-carla',  'staff'),
  ('lis-lisboa-bela-cabeleireiros', 'u-marta',  'owner'),
  ('lis-clinica-das-avenidas',      'u-rui',    'owner'),
  ('lis-clinica-das-avenidas',      'u-ines',   'staff'),
  ('lis-sorriso-da-baixa',          'u-rui',    'owner'),
  ('lis-sorriso-da-baixa',          'u-ines',   'manager'),
  ('lis-pasteis-dourados-belem',    'u-teresa', 'owner'),
  ('lis-agua-do-tejo-spa',          'u-teresa', 'owner'),
  ('lis-alcantara-fit',             'u-joao',   'owner')
on conflict (business_id, user_id) do nothing;

-- ---------------------------------------------------------------------------
-- conversations and their messages, a few hours old

insert into conversations (id, chat_type, user_id, business_id, created_at, last_message_at)
select c.id, c.chat_type, c.user_id, c.business_id,
       now() - c.started_ago, now() - c.started_ago + c.lasted
from (values
  ('c-demo-diego-taberna',   'DEDICATED', 'u-diego', 'lis-taberna-do-largo', interval '3 hours',  interval '4 minutes'),
  ('c-demo-eva-global',      'GLOBAL',    'u-eva',   null,                   interval '2 hours',  interval '3 minutes'),
  ('c-demo-ana-dashboard',   'DASHBOARD', 'u-ana',   'lis-taberna-do-largo', interval '90 minutes', interval '5 minutes'),
  ('c-demo-carla-dashboard', 'DASHBOARD', 'u-carla', 'lis-taberna-do-largo', interval '1 hour',   interval '1 minute'),
  ('c-demo-filipa-studio',   'DEDICATED', 'u-filipa','lis-studio-cabelo-chiado', interval '1 day', interval '2 minutes')
) as c (id, chat_type, user_id, business_id, started_ago, lasted)
on conflict (id) do nothing;

-- Event ids are fixed (an md5 read as a UUID), so seeding twice adds nothing.
insert into messages (event_id, conversation_id, role, text, intent, agent, created_at)
select md5('x7-seed-message:' || m.conversation_id || ':' || m.seq)::uuid,
       m.conversation_id, m.role, m.text, m.intent, m.agent,
       c.created_at + m.seq * interval '40 seconds'
from (values
  ('c-demo-diego-taberna', 1, 'user', 'Hi! Do you have a table for 4 tomorrow at 8pm?', 'make_reservation', null),
  ('c-demo-diego-taberna', 2, 'assistant', 'Yes, we have a table for 4 tomorrow at 20:00. Shall I book it?', 'make_reservation', 'reservations'),
  ('c-demo-diego-taberna', 3, 'user', 'Yes please, under Diego. Is there fado?', 'confirm', null),
  ('c-demo-diego-taberna', 4, 'assistant', 'Booked: 4 people tomorrow at 20:00, under Diego. Fado is on Thursdays from 21:00.', 'confirm', 'reservations'),
  ('c-demo-eva-global', 1, 'user', 'Quiet wine bar near Chiado?', 'search', null),
  ('c-demo-eva-global', 2, 'assistant', 'Vinhos do Chiado (4.6, 40 wines by the glass) is 150 m from Largo do Chiado; Terraço Santa Luzia has views but is livelier.', 'search', 'discovery'),
  ('c-demo-eva-global', 3, 'user', 'Compare it with Terraço Santa Luzia', 'compare', null),
  ('c-demo-eva-global', 4, 'assistant', 'Vinhos do Chiado: €€, 4.6, quiet, step-free. Terraço Santa Luzia: €€€, 4.5, rooftop with lift, sunset tables.', 'compare', 'comparison'),
  ('c-demo-ana-dashboard', 1, 'user', 'How many bookings do we have this week?', 'analytics', null),
  ('c-demo-ana-dashboard', 2, 'assistant', 'This week: 3 bookings (2 confirmed, 1 pending), 12 guests in total.', 'analytics', 'analytics'),
  ('c-demo-ana-dashboard', 3, 'user', 'Post an announcement: fado night every Thursday from 21:00', 'announcement', null),
  ('c-demo-ana-dashboard', 4, 'assistant', 'Posted the announcement for Taberna do Largo.', 'announcement', 'management'),
  ('c-demo-carla-dashboard', 1, 'user', 'Pause bookings for tonight', 'pause_bookings', null),
  ('c-demo-carla-dashboard', 2, 'assistant', 'Pausing bookings needs the manager or owner role; you are staff. Ask Bruno or Ana.', 'pause_bookings', 'management'),
  ('c-demo-filipa-studio', 1, 'user', 'Can I get a cut and blow dry tomorrow morning?', 'make_reservation', null),
  ('c-demo-filipa-studio', 2, 'assistant', 'Corte e brushing (60 min, €55) tomorrow at 11:00 is free. Book it?', 'make_reservation', 'reservations'),
  ('c-demo-filipa-studio', 3, 'user', 'Yes', 'confirm', null),
  ('c-demo-filipa-studio', 4, 'assistant', 'Booked for tomorrow at 11:00. See you at Studio Cabelo Chiado!', 'confirm', 'reservations')
) as m (conversation_id, seq, role, text, intent, agent)
join conversations c on c.id = m.conversation_id
on conflict (event_id) do nothing;

-- ---------------------------------------------------------------------------
-- bookings, past and upcoming. Each is placed `days` from today (Lisbon time) at
-- its local time, moved to the nearest day on which the business is open then
-- (forward for upcoming bookings, backward for past ones).

insert into bookings (id, business_id, user_id, conversation_id, offering_id, party_size, starts_at, status, workflow_id, notes)
select md5('x7-seed-booking:' || s.ref)::uuid, s.business_id, s.user_id, s.conversation_id, o.id,
       s.party_size, slot.starts_at, s.status, s.workflow_id, s.notes
from (values
  ('b01', 'lis-taberna-do-largo',        'u-diego',   'c-demo-diego-taberna', null, 4,  1, time '20:00', 'confirmed', 'reservation-seed-b01', 'Under Diego'),
  ('b02', 'lis-taberna-do-largo',        'u-eva',     null, null,                       2,  2, time '13:00', 'pending',   'reservation-seed-b02', null),
  ('b03', 'lis-taberna-do-largo',        'u-filipa',  null, null,                       6, -3, time '20:30', 'completed', 'reservation-seed-b03', 'Birthday'),
  ('b04', 'lis-taberna-do-largo',        'u-gustavo', null, null,                       2, -1, time '21:00', 'cancelled', null, 'Cancelled by the guest'),
  ('b05', 'lis-marisqueira-do-cais',     'u-eva',     null, null,                       3,  1, time '19:30', 'confirmed', 'reservation-seed-b05', null),
  ('b06', 'lis-studio-cabelo-chiado',    'u-filipa',  'c-demo-filipa-studio', 'Corte e brushing', 1, 1, time '11:00', 'confirmed', 'reservation-seed-b06', null),
  ('b07', 'lis-barbearia-do-cais',       'u-diego',   null, 'Corte clássico',           1,  3, time '18:00', 'pending',   'reservation-seed-b07', null),
  ('b08', 'lis-clinica-das-avenidas',    'u-gustavo', null, 'Consulta de fisioterapia', 1,  2, time '09:30', 'confirmed', 'reservation-seed-b08', 'Knee, after running'),
  ('b09', 'lis-sorriso-da-baixa',        'u-eva',     null, 'Higiene oral',             1, -7, time '10:00', 'completed', null, null),
  ('b10', 'lis-agua-do-tejo-spa',        'u-eva',     null, 'Massagem de casal',        2,  5, time '16:00', 'confirmed', 'reservation-seed-b10', 'Anniversary'),
  ('b11', 'lis-jardim-das-ervas',        'u-diego',   null, null,                       2,  4, time '20:00', 'pending',   'reservation-seed-b11', 'Vegan, no nuts'),
  ('b12', 'lis-cozinha-da-avo-lurdes',   'u-filipa',  null, null,                       5, -14, time '13:00', 'completed', null, null),
  ('b13', 'lis-terraco-santa-luzia',     'u-gustavo', null, null,                       4,  6, time '19:00', 'confirmed', 'reservation-seed-b13', 'Sunset table'),
  ('b14', 'lis-estudio-pilates-estrela', 'u-filipa',  null, 'Pilates reformer',         1,  1, time '18:00', 'confirmed', null, null)
) as s (ref, business_id, user_id, conversation_id, offering_name, party_size, days, local_time, status, workflow_id, notes)
join businesses b on b.id = s.business_id
left join offerings o on o.business_id = s.business_id and o.name = s.offering_name
cross join lateral (
  select ((((now() at time zone b.timezone)::date + s.days + k * sign(s.days)::int) + s.local_time) at time zone b.timezone) as starts_at
  from generate_series(0, 6) as k
  where business_open_at(b.id, (((now() at time zone b.timezone)::date + s.days + k * sign(s.days)::int) + s.local_time) at time zone b.timezone)
  order by k
  limit 1
) as slot
on conflict (id) do nothing;

insert into workflow_runs (workflow_id, run_id, workflow_type, status, conversation_id, business_id, started_at, detail)
select w.workflow_id, md5('x7-seed-run:' || w.workflow_id), w.workflow_type, w.status, w.conversation_id, w.business_id,
       now() - w.started_ago, w.detail::jsonb
from (values
  ('reservation-seed-b01', 'RESERVATION', 'CONFIRMED', 'c-demo-diego-taberna', 'lis-taberna-do-largo', interval '3 hours', '{"booking": "b01", "partySize": 4}'),
  ('reservation-seed-b02', 'RESERVATION', 'STARTED',   null, 'lis-taberna-do-largo',       interval '20 minutes', '{"booking": "b02", "partySize": 2}'),
  ('reservation-seed-b03', 'RESERVATION', 'COMPLETED', null, 'lis-taberna-do-largo',       interval '5 days', '{"booking": "b03", "partySize": 6}'),
  ('reservation-seed-b05', 'RESERVATION', 'CONFIRMED', null, 'lis-marisqueira-do-cais',    interval '1 day', '{"booking": "b05", "partySize": 3}'),
  ('reservation-seed-b06', 'RESERVATION', 'CONFIRMED', 'c-demo-filipa-studio', 'lis-studio-cabelo-chiado', interval '1 day', '{"booking": "b06", "service": "Corte e brushing"}'),
  ('reservation-seed-b07', 'RESERVATION', 'STARTED',   null, 'lis-barbearia-do-cais',      interval '2 hours', '{"booking": "b07"}'),
  ('reservation-seed-b08', 'RESERVATION', 'REMINDER_SENT', null, 'lis-clinica-das-avenidas', interval '2 days', '{"booking": "b08"}'),
  ('reservation-seed-b10', 'RESERVATION', 'CONFIRMED', null, 'lis-agua-do-tejo-spa',       interval '3 days', '{"booking": "b10"}'),
  ('reservation-seed-b11', 'RESERVATION', 'STARTED',   null, 'lis-jardim-das-ervas',       interval '30 minutes', '{"booking": "b11"}'),
  ('reservation-seed-b13', 'RESERVATION', 'CONFIRMED', null, 'lis-terraco-santa-luzia',    interval '6 hours', '{"booking": "b13"}'),
  ('management-seed-announce-1', 'MANAGEMENT_ACTION', 'COMPLETED', 'c-demo-ana-dashboard', 'lis-taberna-do-largo', interval '85 minutes', '{"action": "post_announcement"}'),
  ('voice-seed-callback-1', 'VOICE_CALLBACK', 'FAILED', null, 'lis-sorriso-da-baixa', interval '1 day', '{"reason": "no answer after 3 attempts"}')
) as w (workflow_id, workflow_type, status, conversation_id, business_id, started_ago, detail)
on conflict (workflow_id) do nothing;

-- audit_log has a serial key; `seedRef` in detail keeps these rows from doubling.
insert into audit_log (business_id, user_id, action, allowed, detail, created_at)
select a.business_id, a.user_id, a.action, a.allowed,
       jsonb_build_object('seedRef', a.ref) || a.detail::jsonb, now() - a.ago
from (values
  ('a1', 'lis-taberna-do-largo',     'u-ana',   'post_announcement', true,  '{"role": "owner"}', interval '85 minutes'),
  ('a2', 'lis-taberna-do-largo',     'u-carla', 'pause_bookings',    false, '{"role": "staff", "required": "manager"}', interval '59 minutes'),
  ('a3', 'lis-marisqueira-do-cais',  'u-bruno', 'cancel_booking',    true,  '{"role": "manager", "booking": "b-example"}', interval '2 days'),
  ('a4', 'lis-taberna-do-largo',     'u-diego', 'view_analytics',    false, '{"role": null, "required": "staff"}', interval '4 hours'),
  ('a5', 'lis-studio-cabelo-chiado', 'u-marta', 'update_opening_hours', true, '{"role": "owner", "weekday": 6}', interval '3 days')
) as a (ref, business_id, user_id, action, allowed, detail, ago)
where not exists (select 1 from audit_log l where l.detail ->> 'seedRef' = a.ref);

-- Shown to customers for the dashboard's default week (migration 0008) from when they were posted.
insert into announcements (id, business_id, text, created_by, created_at, expires_at) values
  (md5('x7-seed-announcement:1')::uuid, 'lis-taberna-do-largo', 'Fado night every Thursday from 21:00.', 'u-ana', now() - interval '84 minutes', now() - interval '84 minutes' + interval '7 days'),
  (md5('x7-seed-announcement:2')::uuid, 'lis-studio-cabelo-chiado', 'Open on Saturdays until 18:00 from this week.', 'u-marta', now() - interval '3 days', now() - interval '3 days' + interval '7 days')
on conflict (id) do nothing;
